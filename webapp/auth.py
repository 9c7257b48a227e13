"""Users: sign-in sessions (flask-login), password hashing, personal API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from flask import Flask, current_app, g, jsonify, redirect, request, url_for
from flask_login import LoginManager
from werkzeug.security import check_password_hash, generate_password_hash

from . import htmx
from .cleaning import clean_email
from .models import ApiToken, User, new_session_token, utcnow
from .times import is_zone as valid_timezone

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"


class UserError(ValueError):
    """Input that cannot make a user; the message is shown as it is."""


def init_app(app: Flask) -> None:
    app.config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(days=int(app.config.get("REMEMBER_COOKIE_DAYS", 30))))
    login_manager.init_app(app)


@login_manager.user_loader
def _load_user(session_token: str) -> User | None:
    """Sessions and remember cookies carry User.session_token (the alternative id), never the row id."""
    if not session_token:
        return None
    return User.get_or_none(User.session_token == session_token, User.removed_at.is_null())


@login_manager.request_loader
def _load_user_from_token(req) -> User | None:
    return bearer_user()


def bearer_user() -> User | None:
    """The user of the request's valid API token (`Authorization: Bearer`, under /api/), once per request."""
    if "bearer_user" not in g:
        header = request.headers.get("Authorization", "")
        g.bearer_user = None
        if request.path.startswith("/api/") and header.startswith("Bearer "):
            g.bearer_user = user_for_token(header.removeprefix("Bearer ").strip())
    return g.bearer_user


@login_manager.unauthorized_handler
def _unauthorized():
    if request.path.startswith("/api/"):
        return jsonify(error="unauthorized", message="Send a valid API token as 'Authorization: Bearer <token>'."), 401
    if htmx.is_htmx():
        return htmx.redirect(url_for("auth.login"), 401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def registration_open() -> bool:
    return bool(current_app.config.get("ALLOW_REGISTRATION")) or not User.select().exists()


def check_new_password(password: str) -> None:
    """The rule every new password meets (sign-up, an invitation, set-password)."""
    if len(password) < 8:
        raise UserError("Choose a password of at least 8 characters.")


def create_user(email: str, password: str, name: str = "", timezone: str = "UTC", *, admin: bool = False) -> User:
    """A new user who can sign in; the first user of the instance is always an admin."""
    email = clean_email(email)
    if email is None:
        raise UserError("Enter a valid e-mail address.")
    check_new_password(password)
    if not valid_timezone(timezone):
        raise UserError(f"Unknown time zone {timezone!r}: use an IANA name such as Europe/Berlin.")
    if User.by_email(email):
        raise UserError("An account with this e-mail already exists.")
    admin = admin or not User.select().exists()
    slug = User.new_slug()
    while User.select().where(User.booking_slug == slug).exists():
        slug = User.new_slug()
    return User.create(
        email=email,
        password_hash=generate_password_hash(password),
        display_name=name.strip(),
        timezone=timezone,
        booking_slug=slug,
        is_admin=admin,
    )


def check_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(email: str, password: str) -> User | None:
    """The user with this e-mail and password, or None. An unknown e-mail costs one hash check too,
    so the answer's timing does not tell which e-mails have an account."""
    user = User.by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if check_password(user, password) and user.is_active else None


def end_all_sessions(user: User) -> None:
    """Rotate the alternative id: every session and remember cookie of the user stops working."""
    user.session_token = new_session_token()
    User.update(session_token=user.session_token).where(User.id == user.id).execute()


def set_password(user: User, password: str) -> None:
    """Change the password and sign the user out everywhere."""
    check_new_password(password)
    User.update(password_hash=generate_password_hash(password)).where(User.id == user.id).execute()
    end_all_sessions(user)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(user: User) -> str:
    """Create a personal API token; only its hash is stored, so it is shown once."""
    token = "sw_" + secrets.token_urlsafe(32)
    ApiToken.create(user=user, token_hash=_hash_token(token))
    return token


def user_for_token(token: str) -> User | None:
    row = ApiToken.get_or_none(ApiToken.token_hash == _hash_token(token))
    if row is None or not row.user.is_active:
        return None
    ApiToken.update(last_used_at=utcnow()).where(ApiToken.id == row.id).execute()
    return row.user
