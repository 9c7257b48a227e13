"""Date overrides and time off: single dates with other working ranges or closed, and closed ranges of dates.

All dates are in the owner's zone. Decisions: one override per date (a second is refused: edit the
first); time off may cover dates that have an override, and then the date is closed; time off is at
most 366 days long; ranges follow the working-hours rules (HH:MM, no overlaps, the end after the start).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from .calendars.availability import RulesError, parse_working_hours
from .models import DateOverride, User
from .times import plausible

MAX_TIME_OFF_DAYS = 366
SHAPES = ('Send {"date": "YYYY-MM-DD", "closed": true}, {"date": "YYYY-MM-DD", "ranges": [["09:00", "12:00"]]} '
          'or {"start_date": "YYYY-MM-DD", "end_date": "YYYY-MM-DD", "closed": true}.')


class Invalid(ValueError):
    """Override input that cannot be saved; `field` names the input it is about."""

    def __init__(self, message: str, field: str = "date"):
        super().__init__(message)
        self.field = field


def _date(value: Any, field: str) -> date:
    if not isinstance(value, str):
        raise Invalid(f"{field} is a date written YYYY-MM-DD.", field)
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"{value!r} is not a date: write it YYYY-MM-DD.", field) from None
    if not plausible(day):
        raise Invalid(f"{value!r} is too far from today.", field)
    return day


def clean(data: Mapping[str, Any]) -> tuple[date, date, bool, list[list[str]]]:
    """(start_date, end_date, closed, ranges) from one of the three shapes in SHAPES."""
    known = {"date", "closed", "ranges", "start_date", "end_date"}
    unknown = [k for k in data if k not in known]
    if unknown:
        raise Invalid(f"{unknown[0]!r} is not a field of a date override. {SHAPES}", unknown[0])
    closed = data.get("closed", False)
    if not isinstance(closed, bool):
        raise Invalid("closed is true or false.", "closed")
    if "date" in data:
        if "start_date" in data or "end_date" in data:
            raise Invalid(f"Give either date or start_date and end_date. {SHAPES}")
        day = _date(data["date"], "date")
        ranges = data.get("ranges")
        if closed:
            if ranges:
                raise Invalid("A closed date has no working ranges: leave ranges out.", "ranges")
            return day, day, True, []
        if not isinstance(ranges, list) or not ranges or not all(
                isinstance(r, list) and all(isinstance(t, str) for t in r) for r in ranges):
            raise Invalid('Give the working ranges, like [["09:00", "12:00"]], or "closed": true.', "ranges")
        try:
            parse_working_hours({"0": ranges})
        except RulesError as exc:
            raise Invalid(str(exc), "ranges") from None
        return day, day, False, sorted([a.strip(), b.strip()] for a, b in ranges)
    if "start_date" in data or "end_date" in data:
        first = _date(data.get("start_date"), "start_date")
        last = _date(data.get("end_date"), "end_date")
        if last < first:
            raise Invalid("The time off ends before it starts.", "end_date")
        if (last - first).days >= MAX_TIME_OFF_DAYS:
            raise Invalid(f"Time off is at most {MAX_TIME_OFF_DAYS} days: split it up.", "end_date")
        if not closed or data.get("ranges"):
            raise Invalid('Time off closes its dates: send "closed": true (ranges go on a single date).', "closed")
        return first, last, True, []
    raise Invalid(SHAPES)


def _check_free(user: User, first: date, last: date, current: DateOverride | None) -> None:
    if first != last:
        return
    clash = DateOverride.select().where(
        (DateOverride.owner == user) & (DateOverride.start_date == first) & (DateOverride.end_date == first))
    if current is not None:
        clash = clash.where(DateOverride.id != current.id)
    if clash.exists():
        raise Invalid(f"{first.isoformat()} already has an override: edit that one.", "date")


def create(user: User, data: Mapping[str, Any]) -> DateOverride:
    first, last, closed, ranges = clean(data)
    _check_free(user, first, last, None)
    return DateOverride.create(owner=user, start_date=first, end_date=last, closed=closed,
                               ranges_json=json.dumps(ranges))


def update(row: DateOverride, data: Mapping[str, Any]) -> DateOverride:
    first, last, closed, ranges = clean(data)
    _check_free(row.owner, first, last, row)
    row.start_date, row.end_date, row.closed, row.ranges_json = first, last, closed, json.dumps(ranges)
    row.save()
    return row


def of(user: User, override_id: int) -> DateOverride | None:
    return DateOverride.get_or_none((DateOverride.id == override_id) & (DateOverride.owner == user))


def overrides_for(user: User, first: date, last: date) -> dict[date, tuple[tuple[int, int], ...]]:
    """Local date → the ranges that replace its weekday hours (() when closed), for dates first…last."""
    rows = list(DateOverride.select().where(
        (DateOverride.owner == user) & (DateOverride.start_date <= last) & (DateOverride.end_date >= first)))
    out: dict[date, tuple[tuple[int, int], ...]] = {}
    for row in rows:
        if not row.is_time_off:
            out[row.start_date] = () if row.closed else parse_working_hours({"0": row.ranges}).get(0, ())
    for row in rows:  # time off wins over a one-date override
        if row.is_time_off:
            day = max(row.start_date, first)
            while day <= min(row.end_date, last):
                out[day] = ()
                day += timedelta(days=1)
    return out


def day_hours(user: User, first: date, last: date) -> dict[date, tuple[tuple[int, int], ...]]:
    """Working ranges (minutes after local midnight) of each date first…last, overrides and time off applied."""
    hours = parse_working_hours(user.working_hours)
    overrides = overrides_for(user, first, last)
    out = {}
    day = first
    while day <= last:
        out[day] = tuple(overrides[day] if day in overrides else hours.get(day.weekday(), ()))
        day += timedelta(days=1)
    return out


def non_working(ranges: tuple[tuple[int, int], ...], first_hour: int, last_hour: int,
                unit: int = 15) -> list[tuple[int, int]]:
    """The gaps between `ranges` within [first_hour, last_hour), as (top, height) in `unit`-minute steps
    from first_hour (working edges rounded to the nearest step), for shading in the week view."""
    lo, hi = first_hour * 60, last_hour * 60
    gaps, cursor = [], lo
    for a, b in sorted(ranges):
        a, b = max(a, lo), min(b, hi)
        if a > cursor:
            gaps.append((cursor, a))
        cursor = max(cursor, b)
    if cursor < hi:
        gaps.append((cursor, hi))
    steps = [(round((a - lo) / unit), round((b - lo) / unit)) for a, b in gaps]
    return [(top, bottom - top) for top, bottom in steps if bottom > top]
