"""Sign-in throttling (Flask-Limiter): failed sign-ins counted per account and per address.

Only failures count (a 401 answer). Once a limit is reached, every try for that account (or from
that address) answers 429 until the oldest failure leaves the window, the right password included.
"""
from __future__ import annotations

import hashlib
import math
import time

from flask import Flask, current_app, render_template, request
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, strategy="moving-window")


def init_app(app: Flask) -> None:
    limiter.init_app(app)


def _account_key() -> str:
    # Hashed, so the limiter's storage and log lines hold no e-mail addresses.
    email = request.form.get("email", "").strip().lower()
    return "account:" + hashlib.sha256(email.encode()).hexdigest()[:24]


def _address_key() -> str:
    return "address:" + (get_remote_address() or "unknown")


def _failed(response) -> bool:
    return response.status_code == 401


def wait_message(reset_at: float) -> str:
    # Flask-Limiter rounds reset_at up by a second; without it a full window reads "16 minutes"
    minutes = max(1, math.ceil((reset_at - 1 - time.time()) / 60))
    return f"Too many attempts, try again in {minutes} minute{'s' if minutes != 1 else ''}."


def _too_many(limit: RequestLimit):
    from .models import User

    message = wait_message(limit.reset_at)
    html = render_template("auth/login.html", error=message, email=request.form.get("email", "").strip().lower(),
                           no_users=not User.select().exists(), can_register=False)
    response = current_app.make_response((html, 429))
    response.headers["Retry-After"] = str(max(1, int(limit.reset_at - time.time())))
    return response


def sign_in_limits(view):
    """Decorate the sign-in view: LOGIN_LIMIT_PER_ACCOUNT and LOGIN_LIMIT_PER_ADDRESS failures."""
    per_account = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_account_key,
                                methods=["POST"], deduct_when=_failed, on_breach=_too_many)
    per_address = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], key_func=_address_key,
                                methods=["POST"], deduct_when=_failed, on_breach=_too_many)
    return per_account(per_address(view))
