"""My Profile → Calendar Configuration: Primary Calendar and Check for Conflicts."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("calendar_config", __name__, url_prefix="/settings/profile/calendar-configuration")


@bp.get("")
@login_required
def index():
    return render_template("profile/calendar_configuration.html", tab="calendar_configuration")
