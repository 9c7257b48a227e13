"""JSON API under /api/v1, authenticated by a Bearer token (or the session cookie, with CSRF).

One module an area; each adds its routes to the `api` blueprint.
"""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user, login_required

api = Blueprint("api", __name__, url_prefix="/api/v1")


def error(status: int, message: str, code: str = "invalid"):
    """A JSON error answer: {"error": code, "message": words a person can act on}."""
    return jsonify(error=code, message=message), status


@api.get("/me")
@login_required
def me():
    return jsonify(id=current_user.id, email=current_user.email, name=current_user.name,
                   timezone=current_user.timezone, booking_slug=current_user.booking_slug)


from . import accounts, calendar, configuration  # noqa: E402,F401  (routes register on import)
