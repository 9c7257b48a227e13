"""The platform calendar: a week in the user's zone, details in place, create/reschedule/cancel/delete.

Fragments: `_week.html` (the grid with its own navigation, swapped by prev/next/today and reloaded on
the `calendar-changed` event), `_details.html` and the form fragments shown in the side panel.
Form errors come back as the same form fragment with 200, since htmx does not swap 4xx answers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_login import current_user, login_required

from .. import appointments as svc
from .. import event_types
from ..date_overrides import day_hours, non_working
from ..htmx import trigger
from ..ids import parse_number
from ..models import User

bp = Blueprint("calendar", __name__)
UTC = timezone.utc
CHANGED = "calendar-changed"


def _me() -> User:
    return User.get_by_id(current_user.id)


# --- the week ------------------------------------------------------------------------------------

@dataclass
class Placed:
    """An item's piece inside one day column: position in hours from the top of the grid."""

    item: svc.Item
    start: datetime  # local
    end: datetime
    top: float = 0.0
    height: float = 0.0
    lane: int = 0
    lanes: int = 1


@dataclass
class Day:
    date: date
    is_today: bool
    all_day: list[svc.Item] = field(default_factory=list)
    timed: list[Placed] = field(default_factory=list)
    off: list[tuple[int, int]] = field(default_factory=list)  # non-working time: (top, height) in quarter hours


def _local(value: datetime, tz: ZoneInfo) -> datetime:
    return value.replace(tzinfo=UTC).astimezone(tz)


def _week_start(raw: str | None, tz: ZoneInfo) -> date:
    today = datetime.now(tz).date()
    try:
        day = date.fromisoformat(raw) if raw else today
    except ValueError:
        day = today
    if not 1900 <= day.year <= 2200:  # far-off dates would overflow date arithmetic
        day = today
    return day - timedelta(days=day.weekday())


def _lay_out(placed: list[Placed]) -> None:
    """Side-by-side lanes for overlapping items, per cluster of overlaps."""
    placed.sort(key=lambda p: (p.start, -(p.end - p.start).total_seconds()))
    cluster: list[Placed] = []
    lane_ends: list[datetime] = []
    cluster_end: datetime | None = None

    def close() -> None:
        for p in cluster:
            p.lanes = len(lane_ends)

    for p in placed:
        if cluster_end is not None and p.start >= cluster_end:
            close()
            cluster, lane_ends, cluster_end = [], [], None
        for lane, end in enumerate(lane_ends):
            if end <= p.start:
                p.lane, lane_ends[lane] = lane, p.end
                break
        else:
            p.lane = len(lane_ends)
            lane_ends.append(p.end)
        cluster.append(p)
        cluster_end = p.end if cluster_end is None else max(cluster_end, p.end)
    close()


def build_week(user: User, monday: date) -> dict:
    tz = svc.zone_of(user)
    start = datetime.combine(monday, time(0), tzinfo=tz)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=tz)
    today = datetime.now(tz).date()
    days = [Day(monday + timedelta(days=i), monday + timedelta(days=i) == today) for i in range(7)]
    items = svc.calendar_items(user, start, end)
    first_hour, last_hour = 0, 24  # the whole day, scrolled to working hours when it opens
    for item in items:
        s, e = _local(item.start, tz), _local(item.end, tz)
        for d in days:
            d0 = datetime.combine(d.date, time(0), tzinfo=tz)
            d1 = datetime.combine(d.date + timedelta(days=1), time(0), tzinfo=tz)
            if not (s < d1 and e > d0):
                continue
            if item.all_day:
                d.all_day.append(item)
                continue
            piece = Placed(item, max(s, d0), min(e, d1))
            d.timed.append(piece)
    hours = day_hours(user, days[0].date, days[-1].date)
    starts = [a for d in days for a, _ in hours[d.date]]
    for d in days:
        d.off = non_working(hours[d.date], first_hour, last_hour)
        for p in d.timed:
            # top by wall clock (the hour labels are wall-clock), height by real duration
            p.top = p.start.hour + p.start.minute / 60 - first_hour
            p.height = max((p.end - p.start).total_seconds() / 3600, 0.4)
        _lay_out(d.timed)
    return {
        "days": days, "monday": monday, "hours": list(range(first_hour, last_hour)), "tz": tz,
        "timezone": user.timezone, "prev": monday - timedelta(days=7), "next": monday + timedelta(days=7),
        "today": today, "has_all_day": any(d.all_day for d in days), "count": len(items),
        "opens_at": min(starts) // 60 if starts else 8,
    }


@bp.get("/")
@login_required
def index():
    user = _me()
    week = build_week(user, _week_start(request.args.get("week"), svc.zone_of(user)))
    return render_template("calendar/index.html", week=week)


@bp.get("/calendar/week")
@login_required
def week():
    user = _me()
    week = build_week(user, _week_start(request.args.get("week"), svc.zone_of(user)))
    return render_template("calendar/_week.html", week=week)


# --- details ---------------------------------------------------------------------------------

def _item(kind: str, item_id: int) -> svc.Item:
    user = _me()
    if kind == "appointment":
        record = svc.appointment_of(user, item_id)
        if record is not None:
            return svc.appointment_item(record)
    elif kind == "blocked-slot":
        record = svc.blocked_slot_of(user, item_id)
        if record is not None:
            return svc.blocked_item(record)
    abort(404, "This item is not in your calendar (any more).")


def _details(item: svc.Item, message: str | None = None):
    tz = svc.zone_of(_me())
    start, end = _local(item.start, tz), _local(item.end, tz)
    last_day = (end - timedelta(seconds=1)).date() if end > start else start.date()
    return render_template("calendar/_details.html", item=item, start=start, end=end, last_day=last_day,
                           message=message)


@bp.get("/calendar/<any(appointment, 'blocked-slot'):kind>/<id:item_id>")
@login_required
def details(kind: str, item_id: int):
    return _details(_item(kind, item_id))


def _changed(html: str):
    """The answer to a change: the new panel content, and the week reloads on the event."""
    return trigger(make_response(html), CHANGED)


# --- forms -----------------------------------------------------------------------------------

def _parse_local(day: str, clock: str, tz: ZoneInfo, errors: dict, key: str) -> datetime | None:
    try:
        value = datetime.combine(date.fromisoformat(day), time.fromisoformat(clock))
    except ValueError:
        errors[key] = "Enter a date and a time."
        return None
    if not 1900 <= value.year <= 2200:
        errors[key] = "Enter a date closer to today."
        return None
    return value.replace(tzinfo=tz)


def _duration(raw: str, errors: dict) -> int:
    minutes = parse_number(raw, 5, 24 * 60)
    if minutes is None:
        errors["duration"] = "Enter a duration between 5 and 1440 minutes."
        return 0
    return minutes


def _appointment_form(form: dict, errors: dict, appointment_id: int | None = None):
    return render_template("calendar/_appointment_form.html", form=form, errors=errors,
                           appointment_id=appointment_id)


@bp.get("/calendar/appointments/new")
@login_required
def new_appointment():
    user = _me()
    tz = svc.zone_of(user)
    day = request.args.get("date") or datetime.now(tz).date().isoformat()
    form = {"date": day, "start": request.args.get("start", "09:00"),
            "duration": str(event_types.default_type(user).duration_minutes),
            "title": "", "name": "", "email": ""}
    return _appointment_form(form, {})


@bp.post("/calendar/appointments")
@login_required
def create_appointment():
    user = _me()
    tz = svc.zone_of(user)
    form = {k: request.form.get(k, "").strip() for k in ("date", "start", "duration", "title", "name", "email")}
    errors: dict[str, str] = {}
    start = _parse_local(form["date"], form["start"], tz, errors, "start")
    minutes = _duration(form["duration"], errors)
    if not form["name"]:
        errors["name"] = "Enter the contact's name."
    if not form["email"]:
        errors["email"] = "Enter the contact's e-mail."
    if errors or start is None:
        return _appointment_form(form, errors)
    try:
        appointment = svc.create_appointment(user, start, start + timedelta(minutes=minutes), form["title"],
                                             form["name"], form["email"])
    except svc.BookingError as exc:
        errors[exc.field if exc.field in ("name", "email") else "start"] = str(exc)
        return _appointment_form(form, errors)
    return _changed(_details(svc.appointment_item(appointment), "Appointment booked."))


@bp.get("/calendar/appointments/<id:item_id>/reschedule")
@login_required
def reschedule_form(item_id: int):
    item = _item("appointment", item_id)
    tz = svc.zone_of(_me())
    start = _local(item.start, tz)
    form = {"date": start.date().isoformat(), "start": start.strftime("%H:%M"),
            "duration": str(int((item.end - item.start).total_seconds() // 60))}
    return render_template("calendar/_reschedule_form.html", form=form, errors={}, item=item)


@bp.post("/calendar/appointments/<id:item_id>/reschedule")
@login_required
def reschedule(item_id: int):
    item = _item("appointment", item_id)
    tz = svc.zone_of(_me())
    form = {k: request.form.get(k, "").strip() for k in ("date", "start", "duration")}
    errors: dict[str, str] = {}
    start = _parse_local(form["date"], form["start"], tz, errors, "start")
    minutes = _duration(form["duration"], errors)
    if not errors and start is not None:
        try:
            svc.reschedule(item.record, start, start + timedelta(minutes=minutes))
        except svc.BookingError as exc:
            errors["start"] = str(exc)
    if errors:
        return render_template("calendar/_reschedule_form.html", form=form, errors=errors, item=item)
    return _changed(_details(svc.appointment_item(item.record), "Appointment rescheduled."))


@bp.post("/calendar/appointments/<id:item_id>/cancel")
@login_required
def cancel(item_id: int):
    item = _item("appointment", item_id)
    svc.cancel(item.record)
    return _changed(render_template("calendar/_gone.html", message="Appointment cancelled."))


@bp.get("/calendar/blocked-slots/new")
@login_required
def new_blocked_slot():
    tz = svc.zone_of(_me())
    day = request.args.get("date") or datetime.now(tz).date().isoformat()
    form = {"start": f"{day}T12:00", "end": f"{day}T13:00", "title": ""}
    return render_template("calendar/_blocked_slot_form.html", form=form, errors={})


@bp.post("/calendar/blocked-slots")
@login_required
def create_blocked_slot():
    user = _me()
    tz = svc.zone_of(user)
    form = {k: request.form.get(k, "").strip() for k in ("start", "end", "title")}
    errors: dict[str, str] = {}
    values = {}
    for key in ("start", "end"):
        day, _, clock = form[key].partition("T")
        values[key] = _parse_local(day, clock, tz, errors, key)
    if not errors:
        try:
            slot = svc.create_blocked_slot(user, values["start"], values["end"], form["title"])
        except svc.BookingError as exc:
            errors["end"] = str(exc)
    if errors:
        return render_template("calendar/_blocked_slot_form.html", form=form, errors=errors)
    return _changed(_details(svc.blocked_item(slot), "Blocked Slot added."))


@bp.post("/calendar/blocked-slots/<id:item_id>/delete")
@login_required
def delete_blocked_slot(item_id: int):
    item = _item("blocked-slot", item_id)
    try:
        svc.delete_blocked_slot(item.record)
    except svc.ReadOnly as exc:
        return _details(item, str(exc))
    return _changed(render_template("calendar/_gone.html", message="Blocked Slot deleted."))


@bp.app_template_filter("clock")
def _clock(value: datetime) -> str:
    return value.strftime("%H:%M")


_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")


@bp.app_template_filter("css_color")
def _css_color(value: str | None) -> str:
    """A calendar colour from iCloud, only when it is a plain hex colour (it lands in a style attribute)."""
    return value if value and _HEX.match(value.strip()) else ""


@bp.app_context_processor
def _calendar_urls() -> dict:
    return {"week_url": lambda d: url_for("calendar.week", week=d.isoformat())}
