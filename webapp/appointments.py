"""Appointments, Contacts and manual Blocked Slots: the writes behind the calendar, the API and booking.

Busy time of a user = booked appointments ∪ every BlockedSlot of the user (manual and iCloud, all-day
ones as stored). Every BlockedSlot counts: the sync engine deletes the rows of calendars it no longer
reads, so a row that exists is a row that blocks.

Double booking: the free-time check and the insert run in one transaction that first takes a write
lock (SQLite: BEGIN IMMEDIATE; other databases: a row lock on the owner), so racing bookings of one
user serialize and the second one sees the first.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from peewee import JOIN

from . import bookers, event_types, sync
from .calendars.availability import free_slots, overlaps
from .db import database, is_sqlite
from .mail import outbox
from .models import Appointment, BlockedSlot, Contact, EventType, RemoteCalendar, User, utcnow

UTC = timezone.utc
MAX_LENGTH = timedelta(days=31)


class BookingError(ValueError):
    """Input that cannot become an appointment or Blocked Slot; the message is shown as it is."""

    field: str | None = None

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class SlotTaken(BookingError):
    """The time is no longer free."""


class ReadOnly(BookingError):
    """An iCloud Blocked Slot: it changes in iCloud, not here."""


def naive_utc(value: datetime) -> datetime:
    """Aware → naive UTC (the stored form); naive values are taken as UTC already."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def parse_instant(text: str | None, tz: ZoneInfo, *, allow_date: bool = True) -> datetime:
    """ISO 8601 with an offset (aware result), or a date meaning local midnight in `tz`.

    Naive date-times are refused: "10:00" alone does not say in which zone.
    """
    text = (text or "").strip()
    if not text:
        raise BookingError("Give a date-time in ISO 8601, for example 2026-06-01T09:00:00+02:00.")
    if allow_date and len(text) == 10:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise BookingError(f"{text!r} is not a date: use YYYY-MM-DD.") from None
        if not 1900 <= day.year <= 2200:
            raise BookingError(f"{text!r} is too far from today.")
        return datetime.combine(day, time(0), tzinfo=tz)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        raise BookingError(f"{text!r} is not an ISO 8601 date-time.") from None
    if value.tzinfo is None:
        raise BookingError(f"{text!r} has no UTC offset: add one, for example +02:00 or Z.")
    if not 1900 <= value.year <= 2200:
        raise BookingError(f"{text!r} is too far from today.")
    return value


def zone_of(user: User) -> ZoneInfo:
    return ZoneInfo(user.timezone or "UTC")


def busy_intervals(user: User, start: datetime, end: datetime,
                   exclude_appointment: int | None = None) -> list[tuple[datetime, datetime]]:
    """Naive-UTC (start, end) pairs of everything that blocks `user` and touches [start, end)."""
    s, e = naive_utc(start), naive_utc(end)
    appts = Appointment.live().where(
        Appointment.owner == user, Appointment.start_utc < e, Appointment.end_utc > s
    )
    if exclude_appointment is not None:
        appts = appts.where(Appointment.id != exclude_appointment)
    blocks = BlockedSlot.select(BlockedSlot.start_utc, BlockedSlot.end_utc).where(
        BlockedSlot.owner == user, BlockedSlot.start_utc < e, BlockedSlot.end_utc > s
    )
    rows = list(appts.select(Appointment.start_utc, Appointment.end_utc).tuples()) + list(blocks.tuples())
    return rows


def slots_for(user: User, start: datetime, end: datetime, now: datetime | None = None,
              duration_minutes: int | None = None, event_type: EventType | None = None) -> list[datetime]:
    """The free slot starts (aware UTC) of `user`'s `event_type` (default: the default type) in [start, end)."""
    kind = event_type or event_types.default_type(user)
    rules = event_types.rules_for(user, kind, start, end)
    now = now or datetime.now(UTC)
    pad = timedelta(minutes=rules.buffer_before_minutes + rules.buffer_after_minutes
                    + (duration_minutes or rules.slot_minutes))
    # from a day earlier: the grid of a working range is laid out from the range's start, and busy
    # time between that start and `start` moves it (see calendars.availability)
    busy = busy_intervals(user, naive_utc(start) - pad - timedelta(days=1), naive_utc(end) + pad)
    return free_slots(busy, rules, (start, end), zone_of(user), now, duration_minutes,
                      event_types.booked_starts(kind, start, end))


def contact_for(user: User, name: str, email: str) -> Contact:
    """The user's Contact with this e-mail, created when new (the name of an existing one is kept)."""
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email:
        raise BookingError("Enter a valid e-mail address.", "email")
    name = name.strip()
    if not name:
        raise BookingError("Enter a name.", "name")
    contact = Contact.get_or_none((Contact.owner == user) & (Contact.email == email))
    if contact is None:
        contact = Contact.create(owner=user, name=name[:255], email=email)
    return contact


def _check_times(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    s, e = naive_utc(start), naive_utc(end)
    if e <= s:
        raise BookingError("The end must be after the start.", "end")
    if e - s > MAX_LENGTH:
        raise BookingError("That is longer than 31 days: split it up.", "end")
    return s, e


@contextmanager
def _locked(user: User) -> Iterator[None]:
    """A transaction that holds the user's write lock from its first statement."""
    if is_sqlite():
        with database.atomic("IMMEDIATE"):
            yield
    else:
        with database.atomic():
            User.select(User.id).where(User.id == user.id).for_update().get()
            yield


TAKEN = "This time was just taken. Please choose another time."
BUSY = "This time is not free: it overlaps an appointment or a Blocked Slot."


def create_appointment(user: User, start: datetime, end: datetime, title: str, contact_name: str | None,
                       contact_email: str | None, *, public: bool = False, now: datetime | None = None,
                       booker: bookers.Booker | None = None, event_type: EventType | None = None) -> Appointment:
    """Book an appointment of `event_type` (None: the user's default type).

    `public` bookings and bookings naming an event type must be an offered slot of that type (its
    rules and limits, re-checked under the lock); otherwise the owner may book any free time.
    A public booking records what the booker typed (`booker`) on the appointment and is limited per
    e-mail and per address; the Contact keeps the name it was first stored with.
    """
    s, e = _check_times(start, end)
    title = (title or "").strip()[:255]
    kind = event_type or event_types.default_type(user)
    with _locked(user):
        # the owner may book without a contact; a visitor always leaves a name and an e-mail
        contact = contact_for(user, contact_name or "", contact_email or "") if (
            public or contact_name or contact_email) else None
        if public:
            booker = bookers.typed(booker, contact_name or "", contact.email)
            limit = bookers.limit_message(user, booker, now)
            if limit:
                raise BookingError(limit, "limit")
        if public or event_type is not None:
            if e - s != timedelta(minutes=kind.duration_minutes):
                raise BookingError(f"{kind.title} lasts {kind.duration_minutes} minutes: "
                                   "the end must be that long after the start.", "end")
            _require_offered(user, s, e, now, kind)
        elif overlaps(busy_intervals(user, s, e), s, e):
            raise SlotTaken(BUSY)
        name = (contact_name or "").strip()[:255] or (contact.name if contact else "")
        appointment = Appointment.create(
            owner=user, contact=contact, event_type=kind,
            title=title or (f"{kind.title} with {name}" if contact else kind.title),
            start_utc=s, end_utc=e, push_state=Appointment.PUSH_PENDING, **bookers.fields(booker),
        )
        outbox.enqueue_change(appointment, "booked", "booker" if public else "owner")
    sync.request_push(appointment.id)
    outbox.request_send()
    return appointment


def _require_offered(user: User, s: datetime, e: datetime, now: datetime | None, kind: EventType) -> None:
    """A booker may only take a slot the booking page offers for that event type (its rules and limits)."""
    minutes = int((e - s).total_seconds() // 60)
    aware = s.replace(tzinfo=UTC)
    if aware not in slots_for(user, aware, aware + timedelta(seconds=1), now, minutes, event_type=kind):
        raise SlotTaken(event_types.limit_reached(kind, aware, zone_of(user)) or TAKEN)


def reschedule(appointment: Appointment, start: datetime, end: datetime, *, actor: str = "owner",
               now: datetime | None = None) -> Appointment:
    """Move an appointment; a booker (`actor="booker"`) may only move it to a time the booking page offers."""
    s, e = _check_times(start, end)
    if appointment.status != Appointment.BOOKED:
        raise BookingError("A cancelled appointment cannot be rescheduled.", "status")
    with _locked(appointment.owner):
        if actor == "booker":
            kind = appointment.event_type or event_types.default_type(appointment.owner)
            _require_offered(appointment.owner, s, e, now, kind)
        elif overlaps(busy_intervals(appointment.owner, s, e, exclude_appointment=appointment.id), s, e):
            raise SlotTaken(BUSY)
        appointment.start_utc, appointment.end_utc = s, e
        appointment.push_state = Appointment.PUSH_PENDING
        appointment.updated_at = utcnow()
        appointment.save()
        outbox.enqueue_change(appointment, "rescheduled", actor)
    sync.request_push(appointment.id)
    outbox.request_send()
    return appointment


def cancel(appointment: Appointment, *, actor: str = "owner", reason: str = "") -> Appointment:
    if appointment.status == Appointment.CANCELLED:
        return appointment
    with database.atomic():
        appointment.status = Appointment.CANCELLED
        appointment.push_state = Appointment.PUSH_PENDING
        appointment.updated_at = utcnow()
        appointment.cancel_reason = reason.strip()[:2000] or None
        appointment.save()
        outbox.enqueue_change(appointment, "cancelled", actor)
    sync.request_push(appointment.id)
    outbox.request_send()
    return appointment


def create_blocked_slot(user: User, start: datetime, end: datetime, title: str) -> BlockedSlot:
    """A manual Blocked Slot: blocks availability, never pushed to iCloud."""
    s, e = _check_times(start, end)
    return BlockedSlot.create(owner=user, source=BlockedSlot.MANUAL, start_utc=s, end_utc=e,
                              title=(title or "").strip()[:1024] or "Blocked Slot")


def delete_blocked_slot(slot: BlockedSlot) -> None:
    if slot.source != BlockedSlot.MANUAL:
        raise ReadOnly("This Blocked Slot comes from iCloud: change it in iCloud.")
    slot.delete_instance()


def appointment_of(user: User, appointment_id: int) -> Appointment | None:
    return Appointment.get_or_none((Appointment.id == appointment_id) & (Appointment.owner == user))


def blocked_slot_of(user: User, slot_id: int) -> BlockedSlot | None:
    return BlockedSlot.get_or_none((BlockedSlot.id == slot_id) & (BlockedSlot.owner == user))


@dataclass
class Item:
    """One thing in the calendar, for the week view and the API alike."""

    id: int
    kind: str  # appointment | blocked_slot
    source: str  # platform | icloud
    title: str
    start: datetime  # naive UTC
    end: datetime
    all_day: bool
    calendar: RemoteCalendar | None = None
    contact: Contact | None = None
    record: Appointment | BlockedSlot | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.id}"

    def as_json(self) -> dict:
        return {
            "id": self.id, "kind": self.kind, "source": self.source,
            "calendar": {"id": self.calendar.id, "name": self.calendar.name} if self.calendar else None,
            "title": self.title,
            "start": self.start.replace(tzinfo=UTC).isoformat(),
            "end": self.end.replace(tzinfo=UTC).isoformat(),
            "all_day": self.all_day,
        }


def appointment_item(a: Appointment) -> Item:
    return Item(a.id, "appointment", "platform", a.title, a.start_utc, a.end_utc, False,
                contact=a.contact, record=a)


def blocked_item(b: BlockedSlot) -> Item:
    icloud = b.source == BlockedSlot.ICLOUD
    return Item(b.id, "blocked_slot", "icloud" if icloud else "platform", b.title, b.start_utc, b.end_utc,
                b.all_day, calendar=b.remote_calendar if b.remote_calendar_id else None, record=b)


def calendar_items(user: User, start: datetime, end: datetime) -> list[Item]:
    """Booked appointments and every Blocked Slot touching [start, end), sorted by start."""
    s, e = naive_utc(start), naive_utc(end)
    appts = (Appointment.live().where(Appointment.owner == user, Appointment.start_utc < e,
                                      Appointment.end_utc > s))
    appts = list(appts)
    ids = {a.contact_id for a in appts if a.contact_id}
    contacts = {c.id: c for c in Contact.select().where(Contact.id.in_(ids))} if ids else {}
    items = []
    for a in appts:
        item = appointment_item(a)
        item.contact = contacts.get(a.contact_id)
        items.append(item)
    blocks = (BlockedSlot.select(BlockedSlot, RemoteCalendar)
              .join(RemoteCalendar, join_type=JOIN.LEFT_OUTER, on=(BlockedSlot.remote_calendar == RemoteCalendar.id))
              .where(BlockedSlot.owner == user, BlockedSlot.start_utc < e, BlockedSlot.end_utc > s))
    items.extend(blocked_item(b) for b in blocks)
    items.sort(key=lambda i: (i.start, i.end, i.kind, i.id))
    return items


def appointment_json(a: Appointment) -> dict:
    contact = a.contact
    return {
        "id": a.id, "kind": "appointment", "title": a.title, "status": a.status,
        "start": a.start_utc.replace(tzinfo=UTC).isoformat(), "end": a.end_utc.replace(tzinfo=UTC).isoformat(),
        "contact": {"id": contact.id, "name": contact.name, "email": contact.email} if contact else None,
        "event_type": {"id": a.event_type_id, "slug": a.event_type.slug} if a.event_type_id else None,
        "push_state": a.push_state,
    }


def blocked_slot_json(b: BlockedSlot) -> dict:
    return blocked_item(b).as_json()
