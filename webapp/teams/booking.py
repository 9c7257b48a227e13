"""Booking team event types: offered slots, assignment, the booking itself, and moving or cancelling a group.

Each member's free time comes from the same engine and rules as their personal booking page
(`appointments.slots_for`: their working hours, date overrides, Blocked Slots and appointments, the
type's length, buffers, notice, horizon and grid), then merged (assign.merge_slots). The type's daily
and weekly limits count booking groups (a collective booking is one booking) by date in the team's zone.

Race-free: a booking takes every chosen member's lock (id order) in one transaction and re-checks who
is free under it. A booking is one Appointment per assigned member, tied by `booking_group`; each is
pushed to its own member's Primary Calendar (its own UID and href). Moving or cancelling any copy
moves or cancels every copy (appointments.reschedule and cancel know booking groups).
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from peewee import fn

from .. import appointments, bookers, event_types, sync
from ..cleaning import clean_email
from ..mail import outbox
from ..models import Appointment, EventType, Team, User
from ..times import UTC, naive_utc, zone_named
from . import assign
from .core import chosen

NO_MEMBERS = "This team event type has no members to book: an admin chooses them first."


def zone_of_team(team: Team):
    return zone_named(team.timezone)


def member_slots(user: User, kind: EventType, start: datetime, end: datetime, now: datetime | None = None,
                 exclude_appointment: int | None = None) -> list[datetime]:
    """The member's free starts (aware UTC) for the team type, before the type's limits."""
    return appointments.slots_for(user, start, end, now, event_type=kind, booked=(),
                                  exclude_appointment=exclude_appointment)


def _limited(kind: EventType, starts: Sequence[datetime], start: datetime, end: datetime) -> list[datetime]:
    if kind.daily_limit is None and kind.weekly_limit is None:
        return list(starts)
    return assign.within_limits(starts, kind.daily_limit, kind.weekly_limit,
                                event_types.booked_starts(kind, start, end), zone_of_team(kind.team))


def slots(kind: EventType, start: datetime, end: datetime, now: datetime | None = None) -> list[datetime]:
    """The starts (aware UTC) the team type offers in [start, end)."""
    now = now or datetime.now(UTC)
    members = [user for user, _ in chosen(kind)]
    per_member = (member_slots(user, kind, start, end, now) for user in members)  # lazy: see merge_slots
    return _limited(kind, assign.merge_slots(kind.kind, per_member), start, end)


def _free_at(user: User, kind: EventType, s: datetime, now: datetime | None,
             exclude_appointment: int | None = None) -> bool:
    at = s.replace(tzinfo=UTC)
    return at in member_slots(user, kind, at, at + timedelta(seconds=1), now, exclude_appointment)


def standings(kind: EventType, candidates: Sequence[tuple[User, object]], now: datetime | None = None
              ) -> list[assign.Standing]:
    """Each candidate's live bookings of the team (any of its types) made in the last 30 days."""
    since = naive_utc(now or datetime.now(UTC)) - timedelta(days=assign.FAIRNESS_DAYS)
    ids = [user.id for user, _ in candidates]
    rows = (Appointment.live()
            .select(Appointment.owner, fn.COUNT(Appointment.id), fn.MAX(Appointment.created_at))
            .where(Appointment.team == kind.team_id, Appointment.owner.in_(ids), Appointment.created_at >= since)
            .group_by(Appointment.owner).tuples())
    made = {owner: (count, latest) for owner, count, latest in rows}
    out = []
    for user, row in candidates:
        count, latest = made.get(user.id, (0, None))
        if isinstance(latest, str):  # SQLite hands an aggregate back as text
            latest = datetime.fromisoformat(latest)
        out.append(assign.Standing(user.id, count, latest, row.priority, row.position))
    return out


def book(kind: EventType, start: datetime, name: str, email: str, *, booker: bookers.Booker | None = None,
         public: bool = True, now: datetime | None = None) -> list[Appointment]:
    """Book the team type at `start` for the booker; one appointment per assigned member (id order of
    assignment: the round-robin member, or every collective member in the admin's order)."""
    if kind.team_id is None or kind.kind not in (EventType.ROUND_ROBIN, EventType.COLLECTIVE):
        raise appointments.BookingError("This is not a team event type.", "event_type")
    s = naive_utc(start)
    e = s + timedelta(minutes=kind.duration_minutes)
    members = chosen(kind)
    if not members:
        raise appointments.BookingError(NO_MEMBERS, "event_type")
    for field, message in appointments.contact_problems(name, email, required=True).items():
        raise appointments.BookingError(message, field)
    users = [user for user, _ in members]
    # the just-in-time check of every member who could be assigned (and fail-closed), before the lock
    appointments.check_calendars(users, public)
    with appointments._locked(*users):
        at = s.replace(tzinfo=UTC)
        limit = event_types.limit_reached(kind, at, zone_of_team(kind.team))
        if limit:
            raise appointments.SlotTaken(limit)
        free = [(user, row) for user, row in members if _free_at(user, kind, s, now)]
        if kind.kind == EventType.COLLECTIVE:
            if len(free) != len(members):
                raise appointments.SlotTaken(appointments.TAKEN)
            assigned = [user for user, _ in members]
        else:
            if not free:
                raise appointments.SlotTaken(appointments.TAKEN)
            chosen_id = assign.pick(standings(kind, free, now)).user_id
            assigned = [user for user, _ in free if user.id == chosen_id]
        typed = bookers.typed(booker, name, clean_email(email)) if public else None
        if public:
            for user in assigned:
                message = bookers.limit_message(user, typed, now)
                if message:
                    raise appointments.BookingError(message, "limit")
        group = uuid.uuid4().hex
        made = []
        for user in assigned:
            contact = appointments.contact_for(user, name, email)
            made.append(Appointment.create(
                owner=user, contact=contact, event_type=kind, team=kind.team_id, booking_group=group,
                title=f"{kind.title} with {name.strip()[:200]}", start_utc=s, end_utc=e,
                push_state=Appointment.PUSH_PENDING, **bookers.fields(typed)))
        actor = "booker" if public else "owner"
        for n, appointment in enumerate(made):
            outbox.enqueue_change(appointment, "booked", actor, to_booker=n == 0)
    _after(made)
    return made


def _after(rows: Sequence[Appointment]) -> None:
    for appointment in rows:
        sync.request_push(appointment.id)
    outbox.request_send()


def group_slots(appointment: Appointment, start: datetime, end: datetime, now: datetime | None = None
                ) -> list[datetime]:
    """Where a team booking may move: free for every member it is assigned to (their own copy aside)."""
    kind = appointment.event_type
    copies = [a for a in appointments.group_of(appointment) if a.status == Appointment.BOOKED]
    if kind is None or not copies:
        return []
    per_member = [member_slots(copy.owner, kind, start, end, now, exclude_appointment=copy.id) for copy in copies]
    return _limited(kind, assign.merge_slots(EventType.COLLECTIVE, per_member), start, end)
