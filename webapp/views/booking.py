"""The public booking pages /book/<slug> and /book/<slug>/<type-slug> (no sign-in; signed-in users too).

/book/<slug> lists the owner's active event types, or is the picker itself when there is one. The
fragments name the event type by `type` (its slug; none: the default type).

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
from .. import event_types, htmx
from ..bookers import Booker
from ..htmx import FORM_ERRORS, TAKEN, is_partial
from ..mail.tokens import token_for
from ..models import Appointment, EventType, User
from ..sync import health
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


NOT_OFFERED = "This kind of appointment is not offered (any more). Pick one on the booking page."


def _kind(owner: User, type_slug: str | None = None) -> EventType:
    """The event type a public request is about: active only; none named means the default type."""
    type_slug = type_slug if type_slug is not None else request.values.get("type", "")
    if type_slug:
        kind = EventType.of(owner).where(EventType.slug == type_slug).first()
    else:
        kind = event_types.default_type(owner)
    if kind is None or not kind.active:
        abort(404, NOT_OFFERED)
    return kind


def _picker(owner: User, kind: EventType, several: bool):
    return render_template("booking/page.html", owner=owner, zones=zone_names(), kind=kind, several=several,
                           duration=kind.duration_minutes, closed=health.is_closed(owner))


def _offered(owner: User, start: datetime, end: datetime, kind: EventType) -> list[datetime]:
    """The slots the public pages offer: none while a calendar of the owner is stale (fail closed)."""
    return [] if health.is_closed(owner) else svc.slots_for(owner, start, end, event_type=kind)


@bp.get("/<slug>")
def page(slug: str):
    owner = _owner(slug)
    kinds = event_types.public_types(owner)
    if len(kinds) == 1:
        return _picker(owner, kinds[0], several=False)
    return render_template("booking/types.html", owner=owner, kinds=kinds)


@bp.get("/<slug>/<type_slug>")
def type_page(slug: str, type_slug: str):
    owner = _owner(slug)
    return _picker(owner, _kind(owner, type_slug), several=len(event_types.public_types(owner)) > 1)


@bp.get("/<slug>/month")
def month(slug: str):
    owner = _owner(slug)
    kind = _kind(owner)
    tz = _visitor_zone(owner)
    today = _now().astimezone(tz).date()
    first = parse_day(request.args.get("month", "") + "-01") or today.replace(day=1)
    last_month = (today + timedelta(days=kind.horizon_days)).replace(day=1)
    first = min(max(first, today.replace(day=1)), last_month)
    days_in = cal.monthrange(first.year, first.month)[1]
    window = (datetime.combine(first, time(0), tzinfo=tz),
              datetime.combine(first + timedelta(days=days_in), time(0), tzinfo=tz))
    open_days = {s.astimezone(tz).date() for s in _offered(owner, *window, kind)}
    weeks = cal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    prev_month = (first - timedelta(days=1)).replace(day=1)
    next_month = (first + timedelta(days=days_in))
    return render_template(
        "booking/_month.html", owner=owner, kind=kind, first=first, weeks=weeks, open_days=open_days, tz=tz.key,
        prev_month=prev_month if prev_month >= today.replace(day=1) else None,
        next_month=next_month if next_month <= last_month else None,
        selected=request.args.get("date", ""),
    )


@bp.get("/<slug>/slots")
def slots(slug: str):
    owner = _owner(slug)
    kind = _kind(owner)
    tz = _visitor_zone(owner)
    day = parse_day(request.args.get("date", ""))
    if day is None:
        return render_template("booking/_slots.html", owner=owner, kind=kind, day=None, slots=[], tz=tz.key)
    window = (datetime.combine(day, time(0), tzinfo=tz), datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz))
    found = [s.astimezone(tz) for s in _offered(owner, *window, kind)]
    return render_template("booking/_slots.html", owner=owner, kind=kind, day=day, slots=found, tz=tz.key)


def _form(owner: User, kind: EventType, tz: ZoneInfo, start: datetime, form: dict, errors: dict,
          status: int = 200):
    context = dict(owner=owner, kind=kind, tz=tz.key, start=start.astimezone(tz),
                   end=(start + timedelta(minutes=kind.duration_minutes)).astimezone(tz),
                   owner_start=start.astimezone(zone_of(owner)), form=form, errors=errors)
    if is_partial():
        # htmx swaps a 422 and a 409 in like a 200 (base.html), not a 429
        swapped = TAKEN if status == TAKEN else FORM_ERRORS
        return render_template("booking/_form.html", **context), swapped if errors else 200
    return render_template("booking/form_page.html", **context), status


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
    return _form(owner, _kind(owner), _visitor_zone(owner), start, {"name": "", "email": "", "note": ""}, {})


@bp.post("/<slug>")
def book(slug: str):
    owner = _owner(slug)
    kind = _kind(owner)
    tz = _visitor_zone(owner)
    start = _start_of(owner)
    if start is None:
        abort(400, "This booking does not name a time. Pick a time on the booking page.")
    form = {"name": request.form.get("name", "").strip()[:200], "email": request.form.get("email", "").strip(),
            "note": request.form.get("note", "").strip()[:2000]}
    errors = svc.contact_problems(form["name"], form["email"], required=True)
    status = FORM_ERRORS
    if not errors:
        try:
            appointment = svc.create_appointment(
                owner, start, start + timedelta(minutes=kind.duration_minutes), "", form["name"], form["email"],
                public=True, event_type=kind,
                booker=Booker(note=form["note"], timezone=tz.key, address=request.remote_addr))
        except svc.SlotTaken as exc:
            errors["slot"], status = str(exc), TAKEN
        except svc.BookingError as exc:
            errors[exc.field if exc.field in ("name", "email", "limit") else "slot"] = str(exc)
    if errors:
        # a form with errors answers 422; too many bookings is a rate limit (429) on the plain-form path
        return _form(owner, kind, tz, start, form, errors, 429 if "limit" in errors else status)
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
                           tz=tz.key, token=token_for(appointment.uuid))
