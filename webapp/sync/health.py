"""Sync health per read calendar: what the runs record on each calendar, what the panel and the API show,
and FAIL_CLOSED_AFTER_MINUTES (no public times while a calendar that blocks time has not synced for that long).

Accounts are iterated whatever their provider (iCloud accounts, subscribed feeds), so every calendar that
blocks time has one health row.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from ..caldav_store import Store, StoreError
from ..models import CalendarAccount, RemoteCalendar, RemoteObject, User, utcnow

UNEXPECTED = "Reading this calendar stopped on an unexpected error; it will be tried again."
NEVER = "This calendar has not been read yet."


@contextlib.contextmanager
def reading(cal: RemoteCalendar, store: Store) -> Iterator[None]:
    """Record on `cal` how one run's read of it went: its requests, and success or the error in words."""
    before = store.requests
    try:
        yield
    except Exception as exc:
        words = str(exc) if isinstance(exc, StoreError) else UNEXPECTED
        record(cal, store.requests - before, error=words)
        raise
    record(cal, store.requests - before, error=None)


def record(cal: RemoteCalendar, requests: int, error: str | None) -> None:
    """How one run's read of `cal` went: its requests, and success (None) or the error in words."""
    fields = {RemoteCalendar.last_requests: requests, RemoteCalendar.last_error: error}
    if error is None:
        fields[RemoteCalendar.last_success_at] = utcnow()
    # only these columns: the pull saves the calendar's token and window itself
    RemoteCalendar.update(fields).where(RemoteCalendar.id == cal.id).execute()
    for field, value in fields.items():
        setattr(cal, field.name, value)


# --- what the panel and the API show -------------------------------------------------------------


@dataclass(frozen=True)
class CalendarHealth:
    account: CalendarAccount
    calendar: RemoteCalendar
    last_success_at: datetime | None
    age_seconds: int | None
    objects: int
    last_run_requests: int | None
    last_error: str | None
    next_try_at: datetime | None


def next_try(account: CalendarAccount, now: datetime) -> datetime | None:
    """When the scheduler reads the account next: its back-off, else the next interval; None while it
    waits for a reconnect."""
    if account.status == CalendarAccount.NEEDS_RECONNECT:
        return None
    if account.next_sync_after is not None:
        return max(account.next_sync_after, now)
    if account.last_synced_at is None:
        return now
    return max(account.last_synced_at + timedelta(seconds=int(current_app.config["SYNC_INTERVAL_SECONDS"])), now)


def calendar_health(cal: RemoteCalendar, now: datetime | None = None) -> CalendarHealth:
    now = now or utcnow()
    account = cal.account
    error = cal.last_error
    if account.status != CalendarAccount.CONNECTED and account.last_error:
        error = account.last_error  # the whole account failed (a refused password, the server away)
    elif error is None and cal.last_success_at is None:
        error = None if account.last_synced_at is None else NEVER
    last = cal.last_success_at
    return CalendarHealth(
        account=account, calendar=cal, last_success_at=last,
        age_seconds=None if last is None else max(0, int((now - last).total_seconds())),
        objects=RemoteObject.select().where(RemoteObject.calendar == cal).count(),
        last_run_requests=cal.last_requests, last_error=error, next_try_at=next_try(account, now),
    )


def read_calendars(user: User) -> list[RemoteCalendar]:
    """Every calendar that blocks the user's time, of every account (iCloud and feeds alike)."""
    return list(
        RemoteCalendar.select(RemoteCalendar, CalendarAccount).join(CalendarAccount)
        .where(CalendarAccount.owner == user, RemoteCalendar.role.in_([RemoteCalendar.PRIMARY, RemoteCalendar.CONFLICT]))
        .order_by(CalendarAccount.email, RemoteCalendar.name, RemoteCalendar.id)
    )


def health_of(user: User) -> list[CalendarHealth]:
    now = utcnow()
    return [calendar_health(cal, now) for cal in read_calendars(user)]


def account_health(account: CalendarAccount) -> list[CalendarHealth]:
    """The health rows of one account's calendars that block time (the panel on its card)."""
    now = utcnow()
    calendars = account.calendars.where(RemoteCalendar.role.in_([RemoteCalendar.PRIMARY, RemoteCalendar.CONFLICT]))
    return [calendar_health(cal, now) for cal in calendars.order_by(RemoteCalendar.name, RemoteCalendar.id)]


def _span(seconds: int) -> str:
    if seconds < 3600:
        return f"{max(1, seconds // 60)} min"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


def age_words(seconds: int | None) -> str:
    """"4 min ago" for the panel."""
    if seconds is None:
        return "never"
    return "just now" if seconds < 60 else f"{_span(seconds)} ago"


def next_words(when: datetime | None, now: datetime | None = None) -> str:
    """"in 3 min" for the panel; a reconnect has no next try."""
    if when is None:
        return "after you reconnect the account"
    seconds = int((when - (now or utcnow())).total_seconds())
    if seconds <= 0:
        return "now"
    return "in less than a minute" if seconds < 60 else f"in {_span(seconds)}"


# --- FAIL_CLOSED_AFTER_MINUTES -------------------------------------------------------------------


UNAVAILABLE = ("Booking is temporarily unavailable while this calendar is brought up to date. "
               "Please try again a little later.")


def fail_closed_minutes() -> float | None:
    raw = current_app.config.get("FAIL_CLOSED_AFTER_MINUTES")
    if raw in (None, "", 0, "0"):
        return None
    return float(raw)


def stale_calendars(user: User, now: datetime | None = None) -> list[RemoteCalendar]:
    """The calendars blocking the user's time that have not synced successfully for
    FAIL_CLOSED_AFTER_MINUTES (none while the setting is off). A calendar never read counts from when it
    was chosen."""
    minutes = fail_closed_minutes()
    if minutes is None:
        return []
    limit = (now or utcnow()) - timedelta(minutes=minutes)
    return [cal for cal in read_calendars(user) if (cal.last_success_at or cal.created_at) < limit]


def is_closed(user: User) -> bool:
    """True when the user's public booking pages offer nothing (FAIL_CLOSED_AFTER_MINUTES)."""
    return bool(stale_calendars(user))
