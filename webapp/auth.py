"""Users: sign-in sessions (flask-login), password hashing, personal API tokens."""
from __future__ import annotations

import hashlib
import secrets

from flask import Flask, current_app, jsonify, redirect, request, url_for
from flask_login import LoginManager
from werkzeug.security import check_password_hash, generate_password_hash

from . import htmx
from .cleaning import clean_email
from .models import ApiToken, User, utcnow
from .times import is_zone as valid_timezone

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"


class UserError(ValueError):
    """Input that cannot make a user; the message is shown as it is."""


def init_app(app: Flask) -> None:
    login_manager.init_app(app)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    return User.get_or_none(User.id == int(user_id))


@login_manager.request_loader
def _load_user_from_token(req) -> User | None:
    header = req.headers.get("Authorization", "")
    if not (req.path.startswith("/api/") and header.startswith("Bearer ")):
        return None
    return user_for_token(header.removeprefix("Bearer ").strip())


@login_manager.unauthorized_handler
def _unauthorized():
    if request.path.startswith("/api/"):
        return jsonify(error="unauthorized", message="Send a valid API token as 'Authorization: Bearer <token>'."), 401
    if htmx.is_htmx():
        return htmx.redirect(url_for("auth.login"), 401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def registration_open() -> bool:
    return bool(current_app.config.get("ALLOW_REGISTRATION")) or not User.select().exists()


def create_user(email: str, password: str, name: str = "", timezone: str = "UTC") -> User:
    email = clean_email(email)
    if email is None:
        raise UserError("Enter a valid e-mail address.")
    if len(password) < 8:
        raise UserError("Choose a password of at least 8 characters.")
    if not valid_timezone(timezone):
        raise UserError(f"Unknown time zone {timezone!r}: use an IANA name such as Europe/Berlin.")
    if User.by_email(email):
        raise UserError("An account with this e-mail already exists.")
    slug = User.new_slug()
    while User.select().where(User.booking_slug == slug).exists():
        slug = User.new_slug()
    return User.create(
        email=email,
        password_hash=generate_password_hash(password),
        display_name=name.strip(),
        timezone=timezone,
        booking_slug=slug,
    )


def check_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(user: User) -> str:
    """Create a personal API token; only its hash is stored, so it is shown once."""
    token = "sw_" + secrets.token_urlsafe(32)
    ApiToken.create(user=user, token_hash=_hash_token(token))
    return token


def user_for_token(token: str) -> User | None:
    row = ApiToken.get_or_none(ApiToken.token_hash == _hash_token(token))
    if row is None:
        return None
    ApiToken.update(last_used_at=utcnow()).where(ApiToken.id == row.id).execute()
    return row.user
