"""The public booking pages /book/<slug> and /book/<slug>/<type-slug> (no sign-in; signed-in users too).

/book/<slug> lists the owner's active event types, or is the picker itself when there is one. The
fragments name the event type by `type` (its slug; none: the default type).

The visitor's time zone comes from the browser (Intl) and is switchable; every fragment gets it as
`tz`. Days and times are shown in that zone, the owner's zone is named. The booking itself goes
through appointments.create_appointment(public=True), which re-checks the slot under a write lock.

The same pages serve a team (/team/<slug>, views/team_pages.py): `Host` is whom a page books, and
`add_public_routes` gives a blueprint the whole set of pages for the host its slug names.
"""
from __future__ import annotations

import calendar as cal
from collections.abc import Callable
from dataclasses import dataclass
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
from ..times import UTC, BadTime, aware, is_zone, parse_day, parse_instant, zone_named, zone_names

bp = Blueprint("booking", __name__, url_prefix="/book")

NOT_OFFERED = "This kind of appointment is not offered (any more). Pick one on the booking page."


@dataclass(frozen=True)
class Host:
    """Whom a public booking page books: one person here, a team in views/team_pages.py."""

    blueprint: str  # whose URLs the pages link to
    slug: str
    name: str
    timezone: str  # named on the page, the visitor's first zone, and the zone of a start without offset
    jump_to_single: bool = True  # the front page is the picker itself when one type is offered

    @property
    def zone(self) -> ZoneInfo:
        return zone_named(self.timezone)

    def url(self, view: str, **values) -> str:
        return url_for(f"{self.blueprint}.{view}", slug=self.slug, **values)

    def types(self) -> list[EventType]:
        """The active event types, in order."""
        raise NotImplementedError

    def find(self, type_slug: str) -> EventType | None:
        """The event type of this slug ('': the default one), active or not."""
        raise NotImplementedError

    def slots(self, kind: EventType, start: datetime, end: datetime) -> list[datetime]:
        raise NotImplementedError

    def book(self, kind: EventType, start: datetime, name: str, email: str, booker: Booker) -> Appointment:
        """The booking's (first) appointment; raises appointments.SlotTaken or BookingError."""
        raise NotImplementedError

    def booked(self, ref: str) -> Appointment | None:
        raise NotImplementedError

    def with_whom(self, kind: EventType) -> str:
        """Words saying whom a booking of `kind` meets, before booking ('' where the page says it)."""
        return ""

    def met(self, appointment: Appointment) -> str:
        """Words naming whom the booker meets, on the confirmation ('' where the page says it)."""
        return ""

    def closed(self, kind: EventType) -> bool:
        """Whether booking `kind` is closed: a calendar that blocks the time of whom it books is stale
        (FAIL_CLOSED_AFTER_MINUTES)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Person(Host):
    owner: User | None = None

    @classmethod
    def of(cls, slug: str) -> Person:
        user = User.get_or_none(User.booking_slug == slug)
        if user is None:
            abort(404, "There is no booking page at this address. Check the link you were given.")
        return cls("booking", user.booking_slug, user.name, user.timezone, owner=user)

    def types(self) -> list[EventType]:
        return event_types.public_types(self.owner)

    def find(self, type_slug: str) -> EventType | None:
        if type_slug:
            return EventType.of(self.owner).where(EventType.slug == type_slug).first()
        return event_types.default_type(self.owner)

    def slots(self, kind: EventType, start: datetime, end: datetime) -> list[datetime]:
        return svc.slots_for(self.owner, start, end, event_type=kind)

    def book(self, kind: EventType, start: datetime, name: str, email: str, booker: Booker) -> Appointment:
        return svc.create_appointment(self.owner, start, start + timedelta(minutes=kind.duration_minutes), "",
                                      name, email, public=True, event_type=kind, booker=booker)

    def booked(self, ref: str) -> Appointment | None:
        return Appointment.get_or_none((Appointment.uuid == ref) & (Appointment.owner == self.owner))

    def closed(self, kind: EventType) -> bool:
        return health.is_closed(self.owner)


def _visitor_zone(host: Host) -> ZoneInfo:
    name = request.values.get("tz", "")
    return zone_named(name) if name and is_zone(name) else host.zone


def _now() -> datetime:
    return datetime.now(UTC)


def _kind(host: Host, type_slug: str | None = None) -> EventType:
    """The event type a public request is about: active only; none named means the default type."""
    kind = host.find(type_slug if type_slug is not None else request.values.get("type", ""))
    if kind is None or not kind.active:
        abort(404, NOT_OFFERED)
    return kind


def _picker(host: Host, kind: EventType, several: bool):
    return render_template("booking/page.html", host=host, zones=zone_names(), kind=kind, several=several,
                           duration=kind.duration_minutes, closed=host.closed(kind))


def _offered(host: Host, start: datetime, end: datetime, kind: EventType) -> list[datetime]:
    """The slots the public pages offer: none while a calendar that blocks the host's time is stale (fail closed)."""
    return [] if host.closed(kind) else host.slots(kind, start, end)


def _page(host: Host):
    kinds = host.types()
    if host.jump_to_single and len(kinds) == 1:
        return _picker(host, kinds[0], several=False)
    return render_template("booking/types.html", host=host, kinds=kinds)


def _type_page(host: Host, type_slug: str):
    return _picker(host, _kind(host, type_slug), several=len(host.types()) > 1)


def _month(host: Host):
    kind = _kind(host)
    tz = _visitor_zone(host)
    today = _now().astimezone(tz).date()
    first = parse_day(request.args.get("month", "") + "-01") or today.replace(day=1)
    last_month = (today + timedelta(days=kind.horizon_days)).replace(day=1)
    first = min(max(first, today.replace(day=1)), last_month)
    days_in = cal.monthrange(first.year, first.month)[1]
    window = (datetime.combine(first, time(0), tzinfo=tz),
              datetime.combine(first + timedelta(days=days_in), time(0), tzinfo=tz))
    open_days = {s.astimezone(tz).date() for s in _offered(host, *window, kind)}
    weeks = cal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    prev_month = (first - timedelta(days=1)).replace(day=1)
    next_month = (first + timedelta(days=days_in))
    return render_template(
        "booking/_month.html", host=host, kind=kind, first=first, weeks=weeks, open_days=open_days, tz=tz.key,
        prev_month=prev_month if prev_month >= today.replace(day=1) else None,
        next_month=next_month if next_month <= last_month else None,
        selected=request.args.get("date", ""),
    )


def _slots(host: Host):
    kind = _kind(host)
    tz = _visitor_zone(host)
    day = parse_day(request.args.get("date", ""))
    if day is None:
        return render_template("booking/_slots.html", host=host, kind=kind, day=None, slots=[], tz=tz.key)
    window = (datetime.combine(day, time(0), tzinfo=tz), datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz))
    found = [s.astimezone(tz) for s in _offered(host, *window, kind)]
    return render_template("booking/_slots.html", host=host, kind=kind, day=day, slots=found, tz=tz.key)


def _form(host: Host, kind: EventType, tz: ZoneInfo, start: datetime, form: dict, errors: dict,
          status: int = 200):
    context = dict(host=host, kind=kind, tz=tz.key, start=start.astimezone(tz),
                   end=(start + timedelta(minutes=kind.duration_minutes)).astimezone(tz),
                   host_start=start.astimezone(host.zone), form=form, errors=errors)
    if is_partial():
        # htmx swaps a 422 and a 409 in like a 200 (base.html), not a 429
        swapped = TAKEN if status == TAKEN else FORM_ERRORS
        return render_template("booking/_form.html", **context), swapped if errors else 200
    return render_template("booking/form_page.html", **context), status


def _start_of(host: Host) -> datetime | None:
    try:
        return parse_instant(request.values.get("start", ""), host.zone, allow_date=False)
    except BadTime:
        return None


def _form_page(host: Host):
    start = _start_of(host)
    if start is None:
        abort(400, "This link does not name a time. Pick a time on the booking page.")
    return _form(host, _kind(host), _visitor_zone(host), start, {"name": "", "email": "", "note": ""}, {})


def _book(host: Host):
    kind = _kind(host)
    tz = _visitor_zone(host)
    start = _start_of(host)
    if start is None:
        abort(400, "This booking does not name a time. Pick a time on the booking page.")
    form = {"name": request.form.get("name", "").strip()[:200], "email": request.form.get("email", "").strip(),
            "note": request.form.get("note", "").strip()[:2000]}
    errors = svc.contact_problems(form["name"], form["email"], required=True)
    status = FORM_ERRORS
    if not errors:
        try:
            appointment = host.book(kind, start, form["name"], form["email"],
                                    Booker(note=form["note"], timezone=tz.key, address=request.remote_addr))
        except svc.SlotTaken as exc:
            errors["slot"], status = str(exc), TAKEN
        except svc.BookingError as exc:
            errors[exc.field if exc.field in ("name", "email", "limit") else "slot"] = str(exc)
    if errors:
        # a form with errors answers 422; too many bookings is a rate limit (429) on the plain-form path
        return _form(host, kind, tz, start, form, errors, 429 if "limit" in errors else status)
    target = host.url("confirmed", ref=appointment.uuid, tz=tz.key)
    if is_partial():
        return htmx.redirect(target)
    return redirect(target, 303)


def _confirmed(host: Host, ref: str):
    appointment = host.booked(ref)
    if appointment is None:
        abort(404, "This booking does not exist.")
    tz = _visitor_zone(host)
    start, end = aware(appointment.start_utc, tz), aware(appointment.end_utc, tz)
    return render_template("booking/confirmed.html", host=host, appointment=appointment, start=start, end=end,
                           tz=tz.key, token=token_for(appointment.uuid), met=host.met(appointment))


def add_public_routes(blueprint: Blueprint, host_of: Callable[[str], Host]) -> None:
    """The booking pages under `blueprint`'s prefix, for the host `host_of(slug)` names (or its 404)."""

    @blueprint.get("/<slug>")
    def page(slug: str):
        return _page(host_of(slug))

    @blueprint.get("/<slug>/<type_slug>")
    def type_page(slug: str, type_slug: str):
        return _type_page(host_of(slug), type_slug)

    @blueprint.get("/<slug>/month")
    def month(slug: str):
        return _month(host_of(slug))

    @blueprint.get("/<slug>/slots")
    def slots(slug: str):
        return _slots(host_of(slug))

    @blueprint.get("/<slug>/form")
    def form(slug: str):
        return _form_page(host_of(slug))

    @blueprint.post("/<slug>")
    def book(slug: str):
        return _book(host_of(slug))

    @blueprint.get("/<slug>/booked/<ref>")
    def confirmed(slug: str, ref: str):
        return _confirmed(host_of(slug), ref)


add_public_routes(bp, Person.of)
