"""Appointments, Contacts and manual Blocked Slots: the writes behind the calendar, the API and booking.

Busy time of a user (`busy_intervals`, computed in webapp/busy.py) = booked appointments ∪ every
BlockedSlot of the user that blocks under its calendar's rules (all-day, travel time, unanswered
invitations). The sync engine deletes the rows of calendars it no longer reads.

Double booking: the free-time check and the insert run in one transaction that first takes a write
lock (SQLite: BEGIN IMMEDIATE; other databases: a row lock on the owner), so racing bookings of one
user serialize and the second one sees the first.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from . import bookers, event_types, sync
from .busy import busy_intervals  # noqa: F401 (the one busy-time function; importable from here too)
from .calendars.availability import free_slots, overlaps
from .cleaning import clean_email
from .db import database, is_sqlite
from .ids import parse_number
from .mail import outbox
from .models import Appointment, BlockedSlot, Contact, EventType, User
from .sync import health, jit
from .times import UTC, naive_utc, utcnow, zone_of

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


def slots_for(user: User, start: datetime, end: datetime, now: datetime | None = None,
              duration_minutes: int | None = None, event_type: EventType | None = None, *,
              booked: Sequence[datetime] | None = None, exclude_appointment: int | None = None) -> list[datetime]:
    """The free slot starts (aware UTC) of `user`'s `event_type` (default: the default type) in [start, end).

    `booked` (default: the type's live bookings) feeds the type's limits; a team type passes () and
    applies them once for the team (webapp.teams). `exclude_appointment` is not busy time (a move).
    """
    kind = event_type or event_types.default_type(user)
    rules = event_types.rules_for(user, kind, start, end)
    now = now or datetime.now(UTC)
    pad = timedelta(minutes=rules.buffer_before_minutes + rules.buffer_after_minutes
                    + (duration_minutes or rules.slot_minutes))
    # from a day earlier: the grid of a working range is laid out from the range's start, and busy
    # time between that start and `start` moves it (see calendars.availability)
    busy = busy_intervals(user, naive_utc(start) - pad - timedelta(days=1), naive_utc(end) + pad,
                          exclude_appointment=exclude_appointment)
    return free_slots(busy, rules, (start, end), zone_of(user), now, duration_minutes,
                      event_types.booked_starts(kind, start, end) if booked is None else booked)


def contact_problems(name: str | None, email: str | None, *, required: bool) -> dict[str, str]:
    """What is wrong with a contact's name and e-mail, by field; empty when nothing is.

    The rule, the same for the calendar form, the API and the booking page: a visitor always leaves a
    name and an e-mail (`required`); the owner may book without a contact, but a contact is both or neither.
    """
    name, email = (name or "").strip(), (email or "").strip()
    if not (required or name or email):
        return {}
    problems = {}
    if not name:
        problems["name"] = "Enter a name."
    if clean_email(email) is None:
        problems["email"] = "Enter a valid e-mail address."
    return problems


def contact_for(user: User, name: str, email: str) -> Contact:
    """The user's Contact with this e-mail, created when new (the name of an existing one is kept)."""
    for field, message in contact_problems(name, email, required=True).items():
        raise BookingError(message, field)
    name, email = name.strip(), clean_email(email)
    contact = Contact.get_or_none((Contact.owner == user) & (Contact.email == email))
    if contact is None:
        contact = Contact.create(owner=user, name=name[:255], email=email)
    return contact


MIN_MINUTES, MAX_MINUTES = 5, 24 * 60


def parse_minutes(raw: str | None) -> int:
    """An appointment's length in whole minutes, from a form or a query string."""
    minutes = parse_number(raw or "", MIN_MINUTES, MAX_MINUTES)
    if minutes is None:
        raise BookingError(f"Enter a duration between {MIN_MINUTES} and {MAX_MINUTES} minutes.", "duration")
    return minutes


def _check_times(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    s, e = naive_utc(start), naive_utc(end)
    if e <= s:
        raise BookingError("The end must be after the start.", "end")
    if e - s > MAX_LENGTH:
        raise BookingError("That is longer than 31 days: split it up.", "end")
    return s, e


@contextmanager
def _locked(*users: User) -> Iterator[None]:
    """A transaction that holds the users' write locks from its first statement (taken in id order,
    so two bookings of overlapping teams never wait on each other in a circle)."""
    if is_sqlite():
        with database.atomic("IMMEDIATE"):
            yield
    else:
        with database.atomic():
            list(User.select(User.id).where(User.id.in_([u.id for u in users])).order_by(User.id).for_update())
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
    check = check_calendars([user], public)
    with _locked(user):
        wanted = public or (contact_name or "").strip() or (contact_email or "").strip()  # see contact_problems
        contact = contact_for(user, contact_name or "", contact_email or "") if wanted else None
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
            raise SlotTaken(_busy_words(user, s, e, check))
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


def check_calendars(users: list[User], public: bool) -> jit.Check:
    """The check of the owners' calendars before a booking (webapp.sync.jit); outside the transaction.
    A booker is refused while a calendar that blocks time is stale (FAIL_CLOSED_AFTER_MINUTES)."""
    check = jit.check_before_booking(users)
    if public and any(health.is_closed(user) for user in users):
        raise BookingError(health.UNAVAILABLE, "slot")
    return check


def _busy_words(user: User, s: datetime, e: datetime, check: jit.Check) -> str:
    """"just taken" when the check has just found what makes the time busy."""
    return TAKEN if jit.newly_busy(user, s, e, check.started_at) else BUSY


def _require_offered(user: User, s: datetime, e: datetime, now: datetime | None, kind: EventType,
                     exclude_appointment: int | None = None) -> None:
    """A booker may only take a slot the booking page offers for that event type (its rules and limits)."""
    minutes = int((e - s).total_seconds() // 60)
    aware = s.replace(tzinfo=UTC)
    if aware not in slots_for(user, aware, aware + timedelta(seconds=1), now, minutes, event_type=kind,
                              exclude_appointment=exclude_appointment):
        raise SlotTaken(event_types.limit_reached(kind, aware, zone_of(user)) or TAKEN)


def group_of(appointment: Appointment) -> list[Appointment]:
    """Every member's copy of a team booking (one `booking_group`), in id order; else the appointment alone."""
    if not appointment.booking_group:
        return [appointment]
    return list(Appointment.select().where(Appointment.booking_group == appointment.booking_group)
                .order_by(Appointment.id))


def _live_copies(appointment: Appointment) -> list[Appointment]:
    return [a for a in group_of(appointment) if a.status == Appointment.BOOKED]


def reschedule(appointment: Appointment, start: datetime, end: datetime, *, actor: str = "owner",
               now: datetime | None = None) -> Appointment:
    """Move an appointment (a team booking: every member's copy, each checked for its member);
    a booker (`actor="booker"`) may only move it to a time the booking page offers."""
    s, e = _check_times(start, end)
    if appointment.status != Appointment.BOOKED:
        raise BookingError("A cancelled appointment cannot be rescheduled.", "status")
    copies = _live_copies(appointment)
    check = check_calendars([copy.owner for copy in copies], actor == "booker")
    with _locked(*(copy.owner for copy in copies)):
        for copy in copies:
            if actor == "booker":
                kind = copy.event_type or event_types.default_type(copy.owner)
                # a team copy may move over its own old time (the member's other copies are elsewhere)
                _require_offered(copy.owner, s, e, now, kind, copy.id if copy.booking_group else None)
            elif overlaps(busy_intervals(copy.owner, s, e, exclude_appointment=copy.id), s, e):
                words = _busy_words(copy.owner, s, e, check)
                raise SlotTaken(words if len(copies) == 1 else f"{copy.owner.name}: {words}")
        for copy in copies:
            copy.start_utc, copy.end_utc = s, e
            copy.push_state = Appointment.PUSH_PENDING
            copy.updated_at = utcnow()
            copy.save()
        for n, copy in enumerate(copies):  # the booker hears once, of every member
            outbox.enqueue_change(copy, "rescheduled", actor, to_booker=n == 0)
    _push(copies)
    appointment.start_utc, appointment.end_utc = s, e
    return appointment


def cancel(appointment: Appointment, *, actor: str = "owner", reason: str = "") -> Appointment:
    """Cancel an appointment (a team booking: every member's copy)."""
    if appointment.status == Appointment.CANCELLED:
        return appointment
    copies = _live_copies(appointment)
    with database.atomic():
        for copy in copies:
            copy.status = Appointment.CANCELLED
            copy.push_state = Appointment.PUSH_PENDING
            copy.updated_at = utcnow()
            copy.cancel_reason = reason.strip()[:2000] or None
            copy.save()
        for n, copy in enumerate(copies):
            outbox.enqueue_change(copy, "cancelled", actor, to_booker=n == 0)
    _push(copies)
    appointment.status = Appointment.CANCELLED
    return appointment


def _push(changed: list[Appointment]) -> None:
    """After the commit: each copy to its own owner's Primary Calendar, and the mail."""
    for appointment in changed:
        sync.request_push(appointment.id)
    outbox.request_send()


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
