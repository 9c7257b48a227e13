"""My Profile → Integrations: connect iCloud Calendar accounts."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("integrations", __name__, url_prefix="/settings/profile/integrations")


@bp.get("")
@login_required
def index():
    return render_template("profile/integrations.html", tab="integrations")
