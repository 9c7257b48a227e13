"""Time helpers, one home each: a user's zone, the zone list, naive UTC ⇄ aware, the year guard, ISO 8601.

Every datetime is stored as naive UTC; pages and the API show it aware, in a zone. No Flask or Peewee here.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timezone
from functools import cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

log = logging.getLogger(__name__)

UTC = timezone.utc
# Dates outside these years are refused: far-off ones overflow date arithmetic (a week later, a day earlier).
FIRST_YEAR, LAST_YEAR = 1900, 2200


class BadTime(ValueError):
    """Text that is not a usable date or time; the message is shown as it is."""


class HasZone(Protocol):
    timezone: str


# --- zones -------------------------------------------------------------------------------------------


@cache
def all_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_zone(name: str) -> bool:
    """True for every IANA name this machine knows (what sign-up and the Availability form accept)."""
    return name in all_zones()


@cache
def zone_names() -> list[str]:
    """IANA zone names for the pickers (read once; the list only changes with tzdata)."""
    return sorted(z for z in all_zones() if "/" in z or z == "UTC")


def zone_named(name: str | None) -> ZoneInfo:
    """The zone of this name; UTC when it is empty or no longer known (tzdata changed, old rows)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown time zone %r: using UTC", name)
        return ZoneInfo("UTC")


def zone_of(user: HasZone) -> ZoneInfo:
    """A user's zone: where working hours, the week and floating iCloud times are read."""
    return zone_named(user.timezone)


# --- naive UTC ⇄ aware ---------------------------------------------------------------------------


def utcnow() -> datetime:
    """Now as naive UTC, the form every datetime is stored in."""
    return datetime.now(UTC).replace(tzinfo=None)


def naive_utc(value: datetime) -> datetime:
    """Aware → naive UTC (the stored form); naive values are taken as UTC already."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def aware(value: datetime, tz: ZoneInfo | timezone = UTC) -> datetime:
    """A stored naive-UTC value as an aware datetime in `tz`."""
    return value.replace(tzinfo=UTC).astimezone(tz)


def iso(value: datetime | None) -> str | None:
    """A stored naive-UTC value as ISO 8601 with offset, for JSON."""
    return None if value is None else value.replace(tzinfo=UTC).isoformat()


# --- the year guard and parsing ------------------------------------------------------------------


def plausible(value: date) -> bool:
    """False for dates so far off that arithmetic on them could overflow."""
    return FIRST_YEAR <= value.year <= LAST_YEAR


def parse_day(text: str | None) -> date | None:
    """YYYY-MM-DD within the plausible years, else None."""
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return day if plausible(day) else None


def parse_local(day: str, clock: str, tz: ZoneInfo) -> datetime:
    """A date and a wall-clock time from a form, in `tz`."""
    try:
        value = datetime.combine(date.fromisoformat(day), time.fromisoformat(clock))
    except ValueError:
        raise BadTime("Enter a date and a time.") from None
    if not plausible(value):
        raise BadTime("Enter a date closer to today.")
    return value.replace(tzinfo=tz)


def parse_instant(text: str | None, tz: ZoneInfo, *, allow_date: bool = True) -> datetime:
    """ISO 8601 with an offset (aware result), or a date meaning local midnight in `tz`.

    Naive date-times are refused: "10:00" alone does not say in which zone.
    """
    text = (text or "").strip()
    if not text:
        raise BadTime("Give a date-time in ISO 8601, for example 2026-06-01T09:00:00+02:00.")
    if allow_date and len(text) == 10:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise BadTime(f"{text!r} is not a date: use YYYY-MM-DD.") from None
        if not plausible(day):
            raise BadTime(f"{text!r} is too far from today.")
        return datetime.combine(day, time(0), tzinfo=tz)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        raise BadTime(f"{text!r} is not an ISO 8601 date-time.") from None
    if value.tzinfo is None:
        raise BadTime(f"{text!r} has no UTC offset: add one, for example +02:00 or Z.")
    if not plausible(value):
        raise BadTime(f"{text!r} is too far from today.")
    return value
