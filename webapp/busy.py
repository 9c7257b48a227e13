"""Busy time of a user, with each calendar's rules applied, and the explanation of one time.

Busy time = booked appointments ∪ every Blocked Slot of the user (manual and mirrored) that blocks under
its calendar's rules (webapp/calendars/rules.py): an all-day event, an unanswered invitation, Apple's
travel time before an event. The rules are read here, at every computation, from RemoteCalendar, and
the sync stores what each event is; so changing a rule takes effect at once, with nothing fetched.
Every availability path (slots, the booking re-checks, teams) goes through `busy_intervals`.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from peewee import JOIN

from . import event_types
from .calendars import explain as pure
from .calendars.rules import ALL_ON, MAX_TRAVEL_MINUTES, CalendarRules, blocking, clean
from .models import Appointment, BlockedSlot, CalendarAccount, EventType, RemoteCalendar, User
from .times import UTC, naive_utc, zone_of

_TRAVEL_REACH = timedelta(minutes=MAX_TRAVEL_MINUTES)


def rules_of(cal: RemoteCalendar | None) -> CalendarRules:
    if cal is None:
        return CalendarRules()
    return CalendarRules(cal.all_day_events_block, cal.travel_time_blocks, cal.tentative_blocks)


def _slots(user: User, s: datetime, e: datetime):
    """The user's Blocked Slots whose blocking time (travel included) may touch [s, e), with their calendar."""
    return (BlockedSlot.select(BlockedSlot, RemoteCalendar)
            .join(RemoteCalendar, JOIN.LEFT_OUTER, on=(BlockedSlot.remote_calendar == RemoteCalendar.id))
            .where(BlockedSlot.owner == user, BlockedSlot.start_utc < e + _TRAVEL_REACH, BlockedSlot.end_utc > s))


def _appointments(user: User, s: datetime, e: datetime, exclude_appointment: int | None):
    query = Appointment.live().where(Appointment.owner == user, Appointment.start_utc < e, Appointment.end_utc > s)
    if exclude_appointment is not None:
        query = query.where(Appointment.id != exclude_appointment)
    return query


def busy_intervals(user: User, start: datetime, end: datetime,
                   exclude_appointment: int | None = None) -> list[tuple[datetime, datetime]]:
    """Naive-UTC (start, end) pairs of everything that blocks `user` and touches [start, end)."""
    s, e = naive_utc(start), naive_utc(end)
    rows = list(_appointments(user, s, e, exclude_appointment)
                .select(Appointment.start_utc, Appointment.end_utc).tuples())
    marked = (BlockedSlot.all_day == True) | (BlockedSlot.travel_minutes > 0) | (BlockedSlot.tentative == True)  # noqa: E712
    # Most Blocked Slots are plain events, which block as they are whatever the rules: read like before.
    rows.extend(BlockedSlot.select(BlockedSlot.start_utc, BlockedSlot.end_utc).where(
        BlockedSlot.owner == user, BlockedSlot.start_utc < e, BlockedSlot.end_utc > s, ~marked).tuples())
    # The few the rules bear on: all-day, travel time (which may reach into the window), invitations.
    special = BlockedSlot.select(BlockedSlot.start_utc, BlockedSlot.end_utc, BlockedSlot.all_day,
                                 BlockedSlot.travel_minutes, BlockedSlot.tentative, BlockedSlot.remote_calendar).where(
        BlockedSlot.owner == user, BlockedSlot.start_utc < e + _TRAVEL_REACH, BlockedSlot.end_utc > s, marked)
    rules: dict[int | None, CalendarRules] | None = None
    for b0, b1, all_day, travel, tentative, calendar_id in special.tuples():
        if rules is None:
            rules = _rules_by_calendar(user)
        block = blocking(b0, b1, all_day, travel, tentative, rules.get(calendar_id, ALL_ON))
        if block.start is not None and block.start < e:
            rows.append((block.start, block.end))
    return rows


def _rules_by_calendar(user: User) -> dict[int | None, CalendarRules]:
    cal = RemoteCalendar
    query = (cal.select(cal.id, cal.all_day_events_block, cal.travel_time_blocks, cal.tentative_blocks)
             .join(CalendarAccount).where(CalendarAccount.owner == user))
    return {row[0]: CalendarRules(*map(bool, row[1:])) for row in query.tuples()}


# --- the rules of one calendar ---------------------------------------------------------------------

def calendar_of(user: User, calendar_id: int) -> RemoteCalendar | None:
    """One of the user's calendars (any account), or None."""
    return (RemoteCalendar.select(RemoteCalendar, CalendarAccount).join(CalendarAccount)
            .where(CalendarAccount.owner == user, RemoteCalendar.id == calendar_id).first())


def set_rules(cal: RemoteCalendar, data: Mapping[str, Any]) -> RemoteCalendar:
    """Change a calendar's rules (raises rules.Invalid); effective at once, nothing is fetched."""
    for key, value in clean(data).items():
        setattr(cal, key, value)
    cal.save()
    return cal


# --- "Why is this time busy?" ----------------------------------------------------------------------

def explain_time(user: User, start: datetime, event_type: EventType | None = None,
                 now: datetime | None = None) -> pure.Explanation:
    """What decides whether `start` (aware) is offered for `event_type` (default: the default type)."""
    kind = event_type or event_types.default_type(user)
    now = now or datetime.now(UTC)
    tz = zone_of(user)
    rules = event_types.rules_for(user, kind, start, start)
    end = start + timedelta(minutes=kind.duration_minutes)
    s = naive_utc(start) - timedelta(minutes=rules.buffer_before_minutes)
    e = naive_utc(end) + timedelta(minutes=rules.buffer_after_minutes)
    things = [pure.Thing("appointment", a.id, a.title or "Appointment", a.start_utc, a.end_utc)
              for a in _appointments(user, s, e, None)]
    for b in _slots(user, s, e):
        cal = b.remote_calendar if b.remote_calendar_id else None
        things.append(pure.Thing("blocked_slot", b.id, b.title or "Blocked Slot", b.start_utc, b.end_utc,
                                 all_day=b.all_day, travel_minutes=b.travel_minutes, tentative=b.tentative,
                                 calendar=cal.name if cal else None, rules=rules_of(cal)))
    return pure.explain(start, rules, tz, now, things, event_types.booked_starts(kind, start, end),
                        title=kind.title)
