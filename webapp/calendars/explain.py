""""Why is this time busy?": what decides whether one start instant is offered, in words.

Pure, like the engine it explains (calendars/availability.py): the same Rules, the things that may block
(appointments and Blocked Slots with their calendar's rules, calendars/rules.py) and the type's booked
starts come in; the reasons and the verdict go out. The verdict is reasoned out here step by step
(working hours or a date override, the start-time grid, notice, horizon, limits, each blocking thing
with the buffers) and held to agree with `free_slots` by a property test. It assumes a start-time grid
(`Rules.step_minutes`), which every event type has.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .availability import Rules, _naive, _working_days  # one layout of working ranges: the engine's
from .rules import ALL_ON, CalendarRules, blocking

_EPOCH = datetime(1970, 1, 1)
_DAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


@dataclass(frozen=True)
class Thing:
    """An appointment or a Blocked Slot near the time asked about (times naive UTC, the event's own)."""

    kind: str  # appointment | blocked_slot
    id: int
    title: str
    start: datetime
    end: datetime
    all_day: bool = False
    travel_minutes: int = 0
    tentative: bool = False
    calendar: str | None = None  # its calendar's name; None for appointments and manual Blocked Slots
    rules: CalendarRules = ALL_ON


@dataclass
class Reason:
    kind: str  # working_hours | date_override | grid | notice | horizon | daily_limit | weekly_limit | buffers
    #            | appointment | blocked_slot
    text: str
    prevents: bool  # True: this is why the time is not offered
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Explanation:
    start: datetime  # aware, as asked
    end: datetime
    offered: bool
    reasons: list[Reason]

    @property
    def summary(self) -> str:
        if self.offered:
            return "This time is offered."
        return "This time is not offered: " + " ".join(r.text for r in self.reasons if r.prevents)


def explain(start: datetime, rules: Rules, tz: ZoneInfo, now: datetime, things: Iterable[Thing],
            booked: Sequence[datetime] = (), duration_minutes: int | None = None,
            title: str = "This event type") -> Explanation:
    """Whether `start` (aware) is offered under `rules`, and every reason that bears on it."""
    t = _naive(start)
    duration = timedelta(minutes=duration_minutes or rules.slot_minutes)
    end = t + duration
    clock = _clock(tz)
    reasons: list[Reason] = []

    ranges = _working_days(rules.working_hours, rules.overrides, tz, start, start + timedelta(seconds=1))
    inside = next(((a, b, d) for a, b, d in ranges if a <= t < b), None)
    local_day = _aware(t, tz).date()
    reasons.append(_hours(rules, local_day, inside, t, end, clock, ranges))
    if inside is not None and end <= inside[1]:
        step = timedelta(minutes=rules.step_minutes or rules.slot_minutes)
        off = (t - inside[0]) % step
        minutes = int(step.total_seconds() // 60)
        text = f"Starts lie every {minutes} minutes from {clock(inside[0])}"
        if off:
            reasons.append(Reason("grid", f"{text}: {clock(t - off)} or {clock(t - off + step)}, not "
                                          f"{clock(t)}.", True, {"step_minutes": minutes}))
        else:
            reasons.append(Reason("grid", f"{text}; {clock(t)} is one of them.", False, {"step_minutes": minutes}))

    earliest = _naive(now) + timedelta(minutes=rules.min_notice_minutes)
    notice = f"Minimum notice is {_duration(rules.min_notice_minutes)}"
    reasons.append(Reason("notice", f"{notice}: the earliest start now is {_when(earliest, tz)}.", True)
                   if t < earliest else Reason("notice", f"{notice}: far enough ahead.", False))
    latest = _naive(now) + timedelta(days=rules.horizon_days)
    horizon = f"Bookings are taken up to {rules.horizon_days} days ahead"
    reasons.append(Reason("horizon", f"{horizon}: until {_when(latest, tz)}.", True)
                   if t >= latest else Reason("horizon", f"{horizon}: within them.", False))
    reasons.extend(_limits(rules, booked, inside[2] if inside else local_day, tz, title))

    before = timedelta(minutes=rules.buffer_before_minutes)
    after = timedelta(minutes=rules.buffer_after_minutes)
    if before or after:
        reasons.append(Reason("buffers", f"{title} keeps {_duration(rules.buffer_before_minutes)} free before "
                                         f"and {_duration(rules.buffer_after_minutes)} after.", False,
                              {"before_minutes": rules.buffer_before_minutes,
                               "after_minutes": rules.buffer_after_minutes}))
    for thing in sorted(things, key=lambda th: (th.start, th.end, th.kind, th.id)):
        reason = _thing(thing, t - before, end + after, t, end, clock)
        if reason is not None:
            reasons.append(reason)
    offered = not any(r.prevents for r in reasons)
    return Explanation(start, start + duration, offered, reasons)


def _hours(rules: Rules, day: date, inside, t: datetime, end: datetime, clock, ranges) -> Reason:
    """Working hours or the date override of the day `t` falls on, and whether the slot lies in them."""
    override = day in rules.overrides
    hours = rules.overrides[day] if override else rules.working_hours.get(day.weekday(), ())
    listed = ", ".join(f"{_hhmm(a)}–{_hhmm(b)}" for a, b in hours)
    kind = "date_override" if override else "working_hours"
    details = {"ranges": [[_hhmm(a), _hhmm(b)] for a, b in hours]}
    if override and not hours:
        return Reason(kind, f"{_day(day)} is closed (a date override or time off).", True, details)
    what = f"{_day(day)} has other hours ({listed})" if override else (
        f"Working hours on {_DAYS[day.weekday()]}: {listed}" if hours else
        f"There are no working hours on {_DAYS[day.weekday()]}")
    if inside is None:
        return Reason(kind, f"{what}; {clock(t)} is outside them." if hours else f"{what}.", True, details)
    if end > inside[1]:
        return Reason(kind, f"{what}; a start at {clock(t)} would end after {clock(inside[1])}.", True, details)
    return Reason(kind, f"{what}; {clock(t)}–{clock(end)} lies within them.", False, details)


def _limits(rules: Rules, booked: Sequence[datetime], day: date, tz: ZoneInfo, title: str) -> list[Reason]:
    days = [_aware(_naive(b), tz).date() for b in booked]
    out = []
    if rules.daily_limit is not None:
        n = sum(d == day for d in days)
        full = n >= rules.daily_limit
        out.append(Reason("daily_limit", f"{title} takes at most {rules.daily_limit} a day; {n} booked on "
                                         f"{_day(day)}{' (full)' if full else ''}.", full,
                          {"limit": rules.daily_limit, "booked": n}))
    if rules.weekly_limit is not None:
        monday = day - timedelta(days=day.weekday())
        n = sum(monday <= d < monday + timedelta(days=7) for d in days)
        full = n >= rules.weekly_limit
        out.append(Reason("weekly_limit", f"{title} takes at most {rules.weekly_limit} a week; {n} booked in the "
                                          f"week of {_day(monday)}{' (full)' if full else ''}.", full,
                          {"limit": rules.weekly_limit, "booked": n}))
    return out


def _thing(thing: Thing, zone_start: datetime, zone_end: datetime, t: datetime, end: datetime,
           clock) -> Reason | None:
    """How one appointment or Blocked Slot bears on [zone_start, zone_end) (the slot and its buffers)."""
    block = blocking(thing.start, thing.end, thing.all_day, thing.travel_minutes, thing.tentative, thing.rules)
    details: dict[str, Any] = {f"{thing.kind}_id": thing.id, "title": thing.title, "start": thing.start,
                               "end": thing.end, "rule": block.rule}
    if thing.calendar is not None:
        details["calendar"] = thing.calendar
    if thing.travel_minutes:
        details["travel_minutes"] = thing.travel_minutes
    what = "The appointment" if thing.kind == "appointment" else "The Blocked Slot"
    name = f"{what} “{thing.title}”" + (f" ({thing.calendar})" if thing.calendar else "")
    own = thing.start < zone_end and thing.end > zone_start
    if block.start is None:
        return Reason(thing.kind, f"{name} {block.why_not}.", False, details) if own else None
    if not (block.start < zone_end and block.end > zone_start):
        return None
    span = "all day" if thing.all_day else f"{clock(thing.start)}–{clock(thing.end)}"
    if not own:
        how = f"its travel time of {thing.travel_minutes} minutes, from {clock(block.start)}, overlaps"
    elif thing.start < end and thing.end > t:
        how = "overlaps"
    else:
        how = "falls within the buffer " + ("before" if thing.end <= t else "after")
    tags = {"all_day": " (all-day events block)", "tentative": " (not yet accepted invitations block)",
            "travel_time": ""}
    tag = tags.get(block.rule or "", "")
    if own and thing.travel_minutes and thing.rules.travel_time_blocks:
        tag += f" (with {thing.travel_minutes} minutes of travel time before it)"
    return Reason(thing.kind, f"{name}, {span}, {how} this time{tag}.", True, details)


def _aware(t: datetime, tz: ZoneInfo) -> datetime:
    return (t - _EPOCH + datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))).astimezone(tz)


def _clock(tz: ZoneInfo):
    return lambda t: _aware(t, tz).strftime("%H:%M")


def _when(t: datetime, tz: ZoneInfo) -> str:
    local = _aware(t, tz)
    return f"{_day(local.date())} {local:%H:%M}"


def _day(d: date) -> str:
    return f"{d:%A} {d.day} {d:%B} {d.year}"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _duration(minutes: int) -> str:
    if minutes and minutes % 1440 == 0:
        return f"{minutes // 1440} day{'s' if minutes > 1440 else ''}"
    if minutes and minutes % 60 == 0:
        return f"{minutes // 60} hour{'s' if minutes > 60 else ''}"
    return f"{minutes} minutes"
