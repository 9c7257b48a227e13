"""Sign-in, sign-up and sign-out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..auth import UserError, authenticate, create_user, end_all_sessions, registration_open
from ..config import parse_bool
from ..models import User
from ..throttle import sign_in_limits

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("calendar.index")


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limits
def login():
    if current_user.is_authenticated:
        return redirect(url_for("calendar.index"))
    error = None
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()
        user = authenticate(email, request.form.get("password", ""))
        if user is None:
            error = "That e-mail and password do not match an account."
        else:
            login_user(user, remember=parse_bool(request.form.get("remember", "")))
            return redirect(_safe_next(request.args.get("next")))
    no_users = not User.select().exists()
    return (
        render_template(
            "auth/login.html", error=error, email=email, no_users=no_users, can_register=registration_open()
        ),
        401 if error else 200,
    )


@bp.route("/register", methods=["GET", "POST"])
def register():
    if not registration_open():
        abort(404, "Sign-up is closed on this server. Ask its administrator for an account.")
    error = None
    form = {"email": "", "name": "", "timezone": "UTC"}
    if request.method == "POST":
        form = {key: request.form.get(key, "").strip() for key in form}
        try:
            user = create_user(form["email"], request.form.get("password", ""), form["name"], form["timezone"] or "UTC")
        except UserError as exc:
            error = str(exc)
        else:
            login_user(user)
            flash("Welcome to Slotwise. Connect your iCloud Calendar under Integrations.", "success")
            return redirect(url_for("integrations.index"))
    return render_template("auth/register.html", error=error, form=form), 422 if error else 200


@bp.post("/logout")
@login_required
def logout():
    end_all_sessions(current_user._get_current_object())  # old session and remember cookies stop working
    logout_user()
    return redirect(url_for("auth.login"))
