"""CSRF on every state-changing request, except API calls authenticated by a Bearer token."""
from __future__ import annotations

from flask import Flask, request
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from .hardening import embed_origins

csrf = CSRFProtect()

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def authenticated_by_token() -> bool:
    """True when a valid API token names the user this request acts as.

    A browser never sends an Authorization: Bearer header on its own, so such a request cannot be a
    cross-site forgery. A junk token, or a token of someone else than the signed-in session's user,
    does not count: the request then needs its CSRF token like any other.
    """
    from .auth import bearer_user

    token_user = bearer_user()
    return (token_user is not None and current_user.is_authenticated
            and getattr(current_user, "id", None) == token_user.id)


def has_bearer_token() -> bool:
    return request.headers.get("Authorization", "").startswith("Bearer ")


def init_app(app: Flask) -> None:
    csrf.init_app(app)

    @app.before_request
    def _check_csrf() -> None:
        if request.method in SAFE_METHODS:
            return
        if request.path.startswith("/api/") and has_bearer_token() and (
                authenticated_by_token() or not current_user.is_authenticated):
            # no signed-in session to ride on: a bad token is answered 401 by the view, not "CSRF"
            return
        if request.endpoint == "booking.book" and embed_origins(app):
            # Embedded on another site, the page's SameSite=Lax session cookie (which holds the CSRF
            # token) is not sent. The public booking changes no session state, and re-checks the slot.
            return
        csrf.protect()
