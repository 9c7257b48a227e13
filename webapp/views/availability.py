"""My Profile → Availability: time zone, working hours, slot length, buffers, notice, horizon."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("availability", __name__, url_prefix="/settings/profile/availability")


@bp.get("")
@login_required
def index():
    return render_template("profile/availability.html", tab="availability")
