"""My Profile → Availability: time zone, working hours, slot length, buffers, notice, horizon."""
from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..calendars.availability import RulesError, parse_working_hours
from ..htmx import FORM_ERRORS, is_partial
from ..models import User
from ..times import is_zone, zone_names

bp = Blueprint("availability", __name__, url_prefix="/settings/profile/availability")

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# field → (label, lowest, highest, unit words for the error)
NUMBERS = {
    "slot_minutes": ("Slot length", 5, 480, "minutes"),
    "buffer_before_minutes": ("Buffer before", 0, 240, "minutes"),
    "buffer_after_minutes": ("Buffer after", 0, 240, "minutes"),
    "min_notice_minutes": ("Minimum notice", 0, 60 * 24 * 30, "minutes"),
    "horizon_days": ("Booking horizon", 1, 365, "days"),
}
_RANGE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–—]\s*(\d{1,2}:\d{2})\s*$")


def ranges_text(ranges: list[list[str]]) -> str:
    return ", ".join(f"{a}–{b}" for a, b in ranges)


def parse_day(text: str) -> list[list[str]]:
    """"09:00–12:00, 13:00–17:00" → [["09:00", "12:00"], ["13:00", "17:00"]]; empty means a day off."""
    out = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        match = _RANGE.match(part)
        if not match:
            raise RulesError(f"{part!r} is not a range: write it like 09:00–17:00.")
        out.append([t.zfill(5) for t in match.groups()])
    return out


def _form_of(user: User) -> dict:
    hours = user.working_hours
    form = {"timezone": user.timezone}
    form.update({f"day{d}": ranges_text(hours.get(str(d), [])) for d in range(7)})
    form.update({key: str(getattr(user, key)) for key in NUMBERS})
    return form


def _render(form: dict, errors: dict, saved: bool = False, status: int = 200):
    template = "profile/_availability_form.html" if is_partial() else "profile/availability.html"
    return render_template(template, tab="availability", form=form, errors=errors, saved=saved,
                           weekdays=WEEKDAYS, numbers=NUMBERS, zones=zone_names()), status


@bp.get("")
@login_required
def index():
    return _render(_form_of(User.get_by_id(current_user.id)), {})


@bp.post("")
@login_required
def save():
    user = User.get_by_id(current_user.id)
    form = {key: request.form.get(key, "").strip() for key in ["timezone", *(f"day{d}" for d in range(7)), *NUMBERS]}
    errors: dict[str, str] = {}
    if not is_zone(form["timezone"]):
        errors["timezone"] = "Choose a time zone from the list, for example Europe/Berlin."
    hours: dict[str, list[list[str]]] = {}
    for d in range(7):
        try:
            ranges = parse_day(form[f"day{d}"])
            parse_working_hours({str(d): ranges})
        except RulesError as exc:
            errors[f"day{d}"] = str(exc)
            continue
        if ranges:
            hours[str(d)] = ranges
    values: dict[str, int] = {}
    for key, (label, low, high, unit) in NUMBERS.items():
        raw = form[key]
        if not raw.isdigit() or not low <= int(raw) <= high:
            errors[key] = f"{label} is a whole number of {unit} from {low} to {high}."
        else:
            values[key] = int(raw)
    if not errors and not hours:
        errors["day0"] = "Enter working hours on at least one day, or nobody can book you."
    if errors:
        return _render(form, errors, status=FORM_ERRORS)
    user.timezone = form["timezone"]
    user.working_hours = hours
    for key, value in values.items():
        setattr(user, key, value)
    user.save()
    if not is_partial():
        flash("Availability saved.", "success")
        return redirect(url_for("availability.index"))
    return _render(_form_of(user), {}, saved=True)
