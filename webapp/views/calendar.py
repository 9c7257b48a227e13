"""The platform calendar: a week in the user's zone, details in place, create/reschedule/cancel/delete.

Fragments: `_week.html` (the grid with its own navigation, swapped by prev/next/today and reloaded on
the `calendar-changed` event), `_details.html` and the form fragments shown in the side panel.
A form with errors comes back as the same fragment with 422 (see webapp/htmx.py).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, g, render_template, request, url_for
from flask_login import current_user, login_required

from .. import appointments as svc
from .. import busy, event_types
from ..calendar_week import Item, appointment_item, blocked_item, build_week, week_start
from ..htmx import FORM_ERRORS, TAKEN, trigger
from ..models import User
from ..times import BadTime, aware, parse_local, zone_of

bp = Blueprint("calendar", __name__)
CHANGED = "calendar-changed"


def _me() -> User:
    return User.get_by_id(current_user.id)


def _week() -> dict:
    user = _me()
    return build_week(user, week_start(request.args.get("week"), zone_of(user)))


@bp.get("/")
@login_required
def index():
    return render_template("calendar/index.html", week=_week())


@bp.get("/calendar/week")
@login_required
def week():
    """The week fragment: prev/next/today and the reload on calendar-changed."""
    return render_template("calendar/_week.html", week=_week())


# --- details ---------------------------------------------------------------------------------

def _item(kind: str, item_id: int) -> Item:
    user = _me()
    if kind == "appointment":
        record = svc.appointment_of(user, item_id)
        if record is not None:
            return appointment_item(record)
    elif kind == "blocked-slot":
        record = svc.blocked_slot_of(user, item_id)
        if record is not None:
            return blocked_item(record)
    abort(404, "This item is not in your calendar (any more).")


def _details(item: Item, message: str | None = None):
    tz = zone_of(_me())
    start, end = aware(item.start, tz), aware(item.end, tz)
    last_day = (end - timedelta(seconds=1)).date() if end > start else start.date()
    return render_template("calendar/_details.html", item=item, start=start, end=end, last_day=last_day,
                           message=message)


@bp.get("/calendar/<any(appointment, 'blocked-slot'):kind>/<id:item_id>")
@login_required
def details(kind: str, item_id: int):
    return _details(_item(kind, item_id))


def _changed(html: str):
    """The answer to a change: the new panel content, and the week reloads on the event."""
    return trigger(html, CHANGED)


# --- forms -----------------------------------------------------------------------------------

def _form(template: str, form: dict, errors: dict, **context):
    status = TAKEN if g.get("slot_taken") else FORM_ERRORS  # a time no longer free is a 409, swapped alike
    return render_template(template, form=form, errors=errors, **context), status if errors else 200


def _answer(template: str, form: dict, errors: dict, made, message: str, **context):
    """The form again with its messages (422), or the details of what `made()` returns (the week reloads)."""
    if errors:
        return _form(template, form, errors, **context)
    return _changed(_details(made(), message))


def _attempt(errors: dict, field_of, call, *args):
    """Run a domain call; a BookingError becomes the message of the field `field_of(exc)` names."""
    try:
        return call(*args)
    except svc.BookingError as exc:
        errors[field_of(exc)] = str(exc)
        g.slot_taken = isinstance(exc, svc.SlotTaken)
        return None


def _when(form: dict, tz: ZoneInfo, errors: dict) -> tuple[datetime, datetime] | None:
    """Start and end from the date, start and duration fields; messages go into `errors`."""
    try:
        start = parse_local(form["date"], form["start"], tz)
    except BadTime as exc:
        errors["start"] = str(exc)
        start = None
    try:
        minutes = svc.parse_minutes(form["duration"])
    except svc.BookingError as exc:
        errors["duration"] = str(exc)
        return None
    return (start, start + timedelta(minutes=minutes)) if start else None


@bp.get("/calendar/appointments/new")
@login_required
def new_appointment():
    user = _me()
    day = request.args.get("date") or datetime.now(zone_of(user)).date().isoformat()
    form = {"date": day, "start": request.args.get("start", "09:00"),
            "duration": str(event_types.default_type(user).duration_minutes),
            "title": "", "name": "", "email": ""}
    return _form("calendar/_appointment_form.html", form, {})


@bp.post("/calendar/appointments")
@login_required
def create_appointment():
    user = _me()
    form = {k: request.form.get(k, "").strip() for k in ("date", "start", "duration", "title", "name", "email")}
    errors = svc.contact_problems(form["name"], form["email"], required=False)
    when = _when(form, zone_of(user), errors)
    if not errors and when:
        appointment = _attempt(errors, lambda exc: exc.field if exc.field in ("name", "email") else "start",
                               svc.create_appointment, user, *when, form["title"], form["name"], form["email"])
    return _answer("calendar/_appointment_form.html", form, errors, lambda: appointment_item(appointment),
                   "Appointment booked.")


@bp.get("/calendar/appointments/<id:item_id>/reschedule")
@login_required
def reschedule_form(item_id: int):
    item = _item("appointment", item_id)
    start = aware(item.start, zone_of(_me()))
    form = {"date": start.date().isoformat(), "start": start.strftime("%H:%M"),
            "duration": str(int((item.end - item.start).total_seconds() // 60))}
    return _form("calendar/_reschedule_form.html", form, {}, item=item)


@bp.post("/calendar/appointments/<id:item_id>/reschedule")
@login_required
def reschedule(item_id: int):
    item = _item("appointment", item_id)
    form = {k: request.form.get(k, "").strip() for k in ("date", "start", "duration")}
    errors: dict[str, str] = {}
    when = _when(form, zone_of(_me()), errors)
    if not errors and when:
        _attempt(errors, lambda exc: "start", svc.reschedule, item.record, *when)
    return _answer("calendar/_reschedule_form.html", form, errors, lambda: appointment_item(item.record),
                   "Appointment rescheduled.", item=item)


@bp.post("/calendar/appointments/<id:item_id>/cancel")
@login_required
def cancel(item_id: int):
    item = _item("appointment", item_id)
    svc.cancel(item.record)
    return _changed(render_template("calendar/_gone.html", message="Appointment cancelled."))


@bp.get("/calendar/blocked-slots/new")
@login_required
def new_blocked_slot():
    day = request.args.get("date") or datetime.now(zone_of(_me())).date().isoformat()
    form = {"start": f"{day}T12:00", "end": f"{day}T13:00", "title": ""}
    return _form("calendar/_blocked_slot_form.html", form, {})


@bp.post("/calendar/blocked-slots")
@login_required
def create_blocked_slot():
    user = _me()
    tz = zone_of(user)
    form = {k: request.form.get(k, "").strip() for k in ("start", "end", "title")}
    errors: dict[str, str] = {}
    values = {}
    for key in ("start", "end"):
        day, _, clock = form[key].partition("T")
        try:
            values[key] = parse_local(day, clock, tz)
        except BadTime as exc:
            errors[key] = str(exc)
    if not errors:
        slot = _attempt(errors, lambda exc: "end", svc.create_blocked_slot, user, values["start"], values["end"],
                        form["title"])
    return _answer("calendar/_blocked_slot_form.html", form, errors, lambda: blocked_item(slot), "Blocked Slot added.")


@bp.post("/calendar/blocked-slots/<id:item_id>/delete")
@login_required
def delete_blocked_slot(item_id: int):
    item = _item("blocked-slot", item_id)
    try:
        svc.delete_blocked_slot(item.record)
    except svc.ReadOnly as exc:
        return _details(item, str(exc))
    return _changed(render_template("calendar/_gone.html", message="Blocked Slot deleted."))


# --- "Why is this time busy?" -------------------------------------------------------------------

@bp.get("/calendar/explain")
@login_required
def explain():
    """The explanation of one start (date + time in the user's zone) in the side panel."""
    user = _me()
    tz = zone_of(user)
    form = {"date": request.args.get("date", "").strip(), "time": request.args.get("time", "").strip(),
            "event_type": request.args.get("event_type", "").strip()}
    kinds = event_types.types_of(user)
    kind = event_types.find(user, form["event_type"]) if form["event_type"] else None
    errors: dict[str, str] = {}
    try:
        start = parse_local(form["date"], form["time"], tz)
    except BadTime as exc:
        errors["time"] = str(exc)
    if form["event_type"] and kind is None:
        errors["event_type"] = "Choose one of your event types."
    found = None if errors else busy.explain_time(user, start, kind)
    kind = kind or event_types.default_type(user)
    return render_template("calendar/_explain.html", found=found, form=form, errors=errors, kinds=kinds, kind=kind,
                           tz=tz), FORM_ERRORS if errors else 200


@bp.app_context_processor
def _calendar_urls() -> dict:
    return {"week_url": lambda d: url_for("calendar.week", week=d.isoformat())}
