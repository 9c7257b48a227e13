"""Settings → Event types: the kinds of appointment a user offers, edited with HTMX forms.

The list reloads on the `event-types-changed` event; "New event type" and each Edit load the form into
the editor panel; a form with errors answers 422 with the messages next to the fields.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import event_types
from ..htmx import FORM_ERRORS, is_partial, trigger
from ..ids import MAX_ID, parse_number
from ..models import EventType, User

bp = Blueprint("event_types", __name__, url_prefix="/settings/event-types")
CHANGED = "event-types-changed"
TEXT_FIELDS = ("title", "slug", "description", "location", "color")


def _me() -> User:
    return User.get_by_id(current_user.id)


def _own(type_id: int) -> EventType:
    kind = EventType.of(current_user.id).where(EventType.id == type_id).first()
    if kind is None:
        abort(404, "There is no such event type among yours.")
    return kind


def form_of(kind: EventType | None) -> dict[str, str]:
    if kind is None:
        return {"title": "", "slug": "", "duration_minutes": "30", "description": "", "location": "", "color": "",
                "buffer_before_minutes": "0", "buffer_after_minutes": "0", "minimum_notice_minutes": "240",
                "horizon_days": "60", "step_minutes": "", "daily_limit": "", "weekly_limit": "", "active": "on"}
    return {key: ("on" if value else "") if key == "active" else ("" if value is None else str(value))
            for key, value in event_types.values_of(kind).items()}


def values_from(form: dict[str, str]) -> dict[str, Any]:
    """The form's text as the JSON-typed values event_types.clean checks (so both agree on every rule)."""
    data: dict[str, Any] = {key: form[key] for key in TEXT_FIELDS}
    if not data["slug"]:
        del data["slug"]  # made from the title
    for key in (*event_types.NUMBERS, *event_types.LIMITS, "step_minutes"):
        raw = form[key]
        number = parse_number(raw, 0, MAX_ID)
        data[key] = number if number is not None else (None if raw == "" and key not in event_types.NUMBERS else raw)
    data["active"] = form["active"] == "on"
    return data


def form_context(form: dict, errors: dict, kind: EventType | None) -> dict:
    """What event_types/_form.html needs besides the form's own action (the team types' form reuses it)."""
    return dict(form=form, errors=errors, kind=kind, numbers=event_types.NUMBERS, limits=event_types.LIMITS,
                steps=event_types.STEPS)


def _render_form(form: dict, errors: dict, kind: EventType | None, status: int = 200):
    context = form_context(form, errors, kind)
    if is_partial():
        return render_template("event_types/_form.html", **context), status
    return render_template("event_types/index.html", tab="event_types", kinds=event_types.types_of(_me()),
                           **context), status


@bp.get("")
@login_required
def index():
    return render_template("event_types/index.html", tab="event_types", kinds=event_types.types_of(_me()),
                           form=None)


@bp.get("/list")
@login_required
def listing():
    return render_template("event_types/_list.html", kinds=event_types.types_of(_me()))


@bp.get("/new")
@login_required
def new():
    return _render_form(form_of(None), {}, None)


@bp.get("/<id:type_id>/edit")
@login_required
def edit(type_id: int):
    kind = _own(type_id)
    return _render_form(form_of(kind), {}, kind)


def saved(message: str, back: str | None = None, event: str = CHANGED):
    """A saved form's answer: for htmx the message and `event`; else a flash and back to `back` (this page)."""
    if not is_partial():
        flash(message, "success")
        return redirect(back or url_for("event_types.index"))
    html = render_template("_message.html", message=message)
    return trigger(make_response(html), event)


def read_form() -> dict[str, str]:
    keys = (*TEXT_FIELDS, *event_types.NUMBERS, *event_types.LIMITS, "step_minutes", "active")
    return {key: request.form.get(key, "").strip() for key in keys}


def _submit(change, kind: EventType | None, done: str):
    """Apply `change(values)` from the posted form: the saved message, or the form with its errors (422)."""
    form = read_form()
    try:
        changed = change(values_from(form))
    except event_types.Invalid as exc:
        return _render_form(form, exc.errors, kind, FORM_ERRORS)
    return saved(f"{changed.title} {done}.")


@bp.post("")
@login_required
def create():
    return _submit(lambda values: event_types.create(_me(), values), None, "added")


@bp.post("/<id:type_id>")
@login_required
def save(type_id: int):
    kind = _own(type_id)
    return _submit(lambda values: event_types.update(kind, values), kind, "saved")


@bp.post("/<id:type_id>/delete")
@login_required
def delete(type_id: int):
    kind = _own(type_id)
    try:
        event_types.delete(kind)
    except event_types.Invalid as exc:
        if not is_partial():
            flash(str(exc), "error")
            return redirect(url_for("event_types.index"))
        return render_template("_message.html", message=str(exc), error=True), FORM_ERRORS
    return saved(f"{kind.title} deleted.")
