"""Per-calendar rules: which Blocked Slots of a calendar block time, and from when.

Pure: the sync stores what each event is (all-day, Apple travel minutes, an unanswered invitation), and
these rules are applied whenever busy time is computed, so changing one takes effect at once, without
fetching anything again. Shared by the busy time (webapp/busy.py), the week view and the explanation.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

FIELDS = ("all_day_events_block", "travel_time_blocks", "tentative_blocks")
LABELS = {
    "all_day_events_block": "All-day events block the whole day",
    "travel_time_blocks": "Apple's travel time blocks the time before an event",
    "tentative_blocks": "Invitations not yet accepted block",
}
MAX_TRAVEL_MINUTES = 24 * 60  # longer travel times are read as a day


@dataclass(frozen=True)
class CalendarRules:
    all_day_events_block: bool = True
    travel_time_blocks: bool = True
    tentative_blocks: bool = True


ALL_ON = CalendarRules()  # manual Blocked Slots, and anything without a calendar


@dataclass(frozen=True)
class Blocking:
    """How one Blocked Slot bears on busy time under its calendar's rules."""

    start: datetime | None  # where it blocks from (travel time included); None: it does not block
    end: datetime | None
    rule: str | None  # "all_day" | "tentative" | "travel_time" | None: the rule that applies to it
    why_not: str | None  # words when it does not block


def blocking(start: datetime, end: datetime, all_day: bool, travel_minutes: int, tentative: bool,
             rules: CalendarRules = ALL_ON) -> Blocking:
    """The interval a Blocked Slot blocks (its own, widened by travel time when that rule is on)."""
    if all_day and not rules.all_day_events_block:
        return Blocking(None, None, "all_day", "does not block: the calendar's all-day rule is off")
    if tentative and not rules.tentative_blocks:
        return Blocking(None, None, "tentative", "does not block: the calendar's rule for unanswered "
                                                 "invitations is off")
    travel = max(0, min(travel_minutes or 0, MAX_TRAVEL_MINUTES))
    rule = "all_day" if all_day else "tentative" if tentative else None
    if travel and rules.travel_time_blocks:
        return Blocking(start - timedelta(minutes=travel), end, rule or "travel_time", None)
    return Blocking(start, end, rule, None)


class Invalid(ValueError):
    """Rule input that cannot be saved: `errors` maps each field to words a person can act on."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def clean(data: Mapping[str, Any]) -> dict[str, bool]:
    """The rules present in `data`, each a strict boolean (JSON true/false); anything else is an error."""
    errors = {}
    for key, value in data.items():
        if key not in FIELDS:
            errors[key] = f"{key!r} is not a rule of a calendar: use {', '.join(FIELDS)}."
        elif not isinstance(value, bool):
            errors[key] = f"{key} is true or false."
    if errors:
        raise Invalid(errors)
    return dict(data)
