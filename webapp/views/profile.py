"""Settings, and Settings → My Profile: the entry point to its tabs."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import login_required

bp = Blueprint("profile", __name__, url_prefix="/settings")


@bp.get("/")
@login_required
def settings():
    """Settings: its own navigation, My Profile first."""
    return render_template("settings/index.html", tab="")


@bp.get("/profile/")
@login_required
def my_profile():
    return redirect(url_for("integrations.index"))
