"""Pure parts of team scheduling: merging the members' free slots and choosing a round-robin member.

No Flask, no Peewee: the benchmark and the property tests call these directly.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from heapq import merge
from zoneinfo import ZoneInfo

from ..calendars.availability import Rules, full_dates

ROUND_ROBIN, COLLECTIVE = "round_robin", "collective"
FAIRNESS_DAYS = 30


def merge_slots(kind: str, per_member: Iterable[Sequence[datetime]]) -> list[datetime]:
    """Round-robin: a start offered by at least one member (union); collective: by every one (intersection).

    Each member's list is sorted (the engine's order). `per_member` may be lazy: a collective merge stops
    asking for more members once nothing is common any more.
    """
    lists = iter(per_member)
    first = next(lists, None)
    if first is None:
        return []
    if kind == COLLECTIVE:
        common = list(first)
        for slots in lists:
            if not common:
                break
            theirs = set(slots)
            common = [s for s in common if s in theirs]
        return common
    out: list[datetime] = []
    for s in merge(first, *lists):
        if not out or s != out[-1]:
            out.append(s)
    return out


def within_limits(slots: Iterable[datetime], daily: int | None, weekly: int | None, booked: Sequence[datetime],
                  tz: ZoneInfo) -> list[datetime]:
    """The starts on days and weeks (in the team's zone) where the type's limits are not reached yet."""
    full_days, full_weeks = full_dates(Rules(daily_limit=daily, weekly_limit=weekly), booked, tz)
    if not full_days and not full_weeks:
        return list(slots)

    def open_(s: datetime) -> bool:
        day: date = s.astimezone(tz).date()
        return day not in full_days and day - timedelta(days=day.weekday()) not in full_weeks

    return [s for s in slots if open_(s)]


@dataclass(frozen=True)
class Standing:
    """A round-robin candidate: their live team bookings made in the last 30 days, and their order."""

    user_id: int
    recent: int = 0  # live bookings of the team made in the last FAIRNESS_DAYS
    latest: datetime | None = None  # when the latest of them was made (None: never)
    priority: int = 0
    position: int = 0

    def key(self) -> tuple:
        # fewest first; then the one whose latest booking was made longest ago (never = longest);
        # then the higher priority; then the admin's order
        return (self.recent, self.latest or datetime.min, -self.priority, self.position, self.user_id)


def pick(standings: Iterable[Standing]) -> Standing:
    """The member a round-robin booking goes to, among those free at that time (at least one)."""
    return min(standings, key=Standing.key)
