"""The public booking page /book/<slug> (no sign-in; works for signed-in users too).

The visitor's time zone comes from the browser (Intl) and is switchable; every fragment gets it as
`tz`. Days and times are shown in that zone, the owner's zone is named. The booking itself goes
through appointments.create_appointment(public=True), which re-checks the slot under a write lock.
"""
from __future__ import annotations

import calendar as cal
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, redirect, render_template, request, url_for

from .. import appointments as svc
from .. import htmx
from ..htmx import FORM_ERRORS, is_partial
from ..models import Appointment, User
from ..times import UTC, BadTime, aware, is_zone, parse_day, parse_instant, zone_named, zone_names, zone_of

bp = Blueprint("booking", __name__, url_prefix="/book")


def _owner(slug: str) -> User:
    user = User.get_or_none(User.booking_slug == slug)
    if user is None:
        abort(404, "There is no booking page at this address. Check the link you were given.")
    return user


def _visitor_zone(owner: User) -> ZoneInfo:
    name = request.values.get("tz", "")
    return zone_named(name) if name and is_zone(name) else zone_of(owner)


def _now() -> datetime:
    return datetime.now(UTC)


@bp.get("/<slug>")
def page(slug: str):
    owner = _owner(slug)
    return render_template("booking/page.html", owner=owner, zones=zone_names(),
                           duration=owner.slot_minutes)


@bp.get("/<slug>/month")
def month(slug: str):
    owner = _owner(slug)
    tz = _visitor_zone(owner)
    today = _now().astimezone(tz).date()
    first = parse_day(request.args.get("month", "") + "-01") or today.replace(day=1)
    last_month = (today + timedelta(days=owner.horizon_days)).replace(day=1)
    first = min(max(first, today.replace(day=1)), last_month)
    days_in = cal.monthrange(first.year, first.month)[1]
    window = (datetime.combine(first, time(0), tzinfo=tz),
              datetime.combine(first + timedelta(days=days_in), time(0), tzinfo=tz))
    open_days = {s.astimezone(tz).date() for s in svc.slots_for(owner, *window)}
    weeks = cal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    prev_month = (first - timedelta(days=1)).replace(day=1)
    next_month = (first + timedelta(days=days_in))
    return render_template(
        "booking/_month.html", owner=owner, first=first, weeks=weeks, open_days=open_days, tz=tz.key,
        prev_month=prev_month if prev_month >= today.replace(day=1) else None,
        next_month=next_month if next_month <= last_month else None,
        selected=request.args.get("date", ""),
    )


@bp.get("/<slug>/slots")
def slots(slug: str):
    owner = _owner(slug)
    tz = _visitor_zone(owner)
    day = parse_day(request.args.get("date", ""))
    if day is None:
        return render_template("booking/_slots.html", owner=owner, day=None, slots=[], tz=tz.key)
    window = (datetime.combine(day, time(0), tzinfo=tz), datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz))
    found = [s.astimezone(tz) for s in svc.slots_for(owner, *window)]
    return render_template("booking/_slots.html", owner=owner, day=day, slots=found, tz=tz.key)


def _form(owner: User, tz: ZoneInfo, start: datetime, form: dict, errors: dict, status: int = 200):
    context = dict(owner=owner, tz=tz.key, start=start.astimezone(tz),
                   end=(start + timedelta(minutes=owner.slot_minutes)).astimezone(tz),
                   owner_start=start.astimezone(zone_of(owner)), form=form, errors=errors)
    template = "booking/_form.html" if is_partial() else "booking/form_page.html"
    return render_template(template, **context), status


def _start_of(owner: User) -> datetime | None:
    try:
        return parse_instant(request.values.get("start", ""), zone_of(owner), allow_date=False)
    except BadTime:
        return None


@bp.get("/<slug>/form")
def form(slug: str):
    owner = _owner(slug)
    start = _start_of(owner)
    if start is None:
        abort(400, "This link does not name a time. Pick a time on the booking page.")
    return _form(owner, _visitor_zone(owner), start, {"name": "", "email": ""}, {})


@bp.post("/<slug>")
def book(slug: str):
    owner = _owner(slug)
    tz = _visitor_zone(owner)
    start = _start_of(owner)
    if start is None:
        abort(400, "This booking does not name a time. Pick a time on the booking page.")
    form = {"name": request.form.get("name", "").strip()[:200], "email": request.form.get("email", "").strip()}
    errors = svc.contact_problems(form["name"], form["email"], required=True)
    if not errors:
        try:
            appointment = svc.create_appointment(
                owner, start, start + timedelta(minutes=owner.slot_minutes), "", form["name"], form["email"],
                public=True)
        except svc.SlotTaken as exc:
            errors["slot"] = str(exc)
        except svc.BookingError as exc:
            errors[exc.field if exc.field in ("name", "email") else "slot"] = str(exc)
    if errors:
        return _form(owner, tz, start, form, errors, FORM_ERRORS)
    target = url_for("booking.confirmed", slug=slug, ref=appointment.uuid, tz=tz.key)
    if is_partial():
        return htmx.redirect(target)
    return redirect(target, 303)


@bp.get("/<slug>/booked/<ref>")
def confirmed(slug: str, ref: str):
    owner = _owner(slug)
    appointment = Appointment.get_or_none((Appointment.uuid == ref) & (Appointment.owner == owner))
    if appointment is None:
        abort(404, "This booking does not exist.")
    tz = _visitor_zone(owner)
    start, end = aware(appointment.start_utc, tz), aware(appointment.end_utc, tz)
    return render_template("booking/confirmed.html", owner=owner, appointment=appointment, start=start, end=end,
                           tz=tz.key)
