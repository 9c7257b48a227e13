"""My Profile → Availability: time zone and working hours (date overrides: views.date_overrides).

Length, buffers, notice and horizon belong to each event type (views.event_types). The rules are in
`availability_settings`; this view parses the form, calls it and renders.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import availability_settings as settings
from ..htmx import FORM_ERRORS, is_partial
from ..models import DateOverride, User
from ..times import zone_names

bp = Blueprint("availability", __name__, url_prefix="/settings/profile/availability")


def _render(form: dict, errors: dict, saved: bool = False, status: int = 200):
    template = "profile/_availability_form.html" if is_partial() else "profile/availability.html"
    overrides = [] if is_partial() else list(DateOverride.of(User.get_by_id(current_user.id)))
    return render_template(template, tab="availability", form=form, errors=errors, saved=saved,
                           weekdays=settings.WEEKDAYS, zones=zone_names(), overrides=overrides), status


@bp.get("")
@login_required
def index():
    return _render(settings.settings_of(User.get_by_id(current_user.id)), {})


@bp.post("")
@login_required
def save():
    user = User.get_by_id(current_user.id)
    form = {key: request.form.get(key, "").strip() for key in settings.FIELDS}
    try:
        settings.update(user, form)
    except settings.SettingsRefused as exc:
        return _render(form, exc.errors, status=FORM_ERRORS)
    if not is_partial():
        flash("Availability saved.", "success")
        return redirect(url_for("availability.index"))
    return _render(settings.settings_of(user), {}, saved=True)
