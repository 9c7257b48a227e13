"""Primary Calendar and Check for Conflicts: which of a user's iCloud calendars are read, and written to.

Subscribed calendars (ICS feeds) can be checked for conflicts, never be the Primary Calendar.

The rules live here, shared by the Calendar Configuration page and PUT /api/v1/calendar-configuration.
"""
from __future__ import annotations

from collections.abc import Iterable

from . import sync
from .db import write_transaction
from .ids import parse_id
from .models import CalendarAccount, RemoteCalendar, User


class ConfigurationRefused(ValueError):
    """The choice names a calendar that is not one of the user's; nothing was changed."""


def calendars_of(user: User):
    """Every RemoteCalendar of the user's accounts, grouped by account e-mail then name (subscribed calendars last)."""
    return (
        RemoteCalendar.select(RemoteCalendar, CalendarAccount)
        .join(CalendarAccount)
        .where(CalendarAccount.owner == user)
        .order_by(CalendarAccount.provider, CalendarAccount.email, RemoteCalendar.name, RemoteCalendar.id)
    )


def primary_calendar(user: User) -> RemoteCalendar | None:
    return RemoteCalendar.primary_of(user)


def conflict_calendars(user: User) -> list[RemoteCalendar]:
    return list(calendars_of(user).where(RemoteCalendar.role == RemoteCalendar.CONFLICT))


def configure_calendars(user: User, primary_id: int | None, conflict_ids: Iterable[int], *,
                        primary_account_id: int | None = None) -> set[int]:
    """Set the Primary Calendar (or none) and the Check for Conflicts calendars in one step.

    Only calendars of the user's own accounts are accepted, and, when the choice names the account of
    the Primary Calendar (`primary_account_id`, as the form does), one of that account's; else
    ConfigurationRefused and nothing changes. A Primary also ticked for conflicts stays "primary" (it is read anyway). Appointments
    are not touched: they keep pointing at the calendar they were written to, which is how the sync
    engine knows to move them. Asks for a sync of, and returns the ids of, the accounts whose
    calendars changed role.
    """
    wanted_conflicts = set(conflict_ids)
    mine = {cal.id: cal for cal in calendars_of(user)}
    foreign = ({primary_id} if primary_id is not None else set()) | wanted_conflicts
    foreign -= mine.keys()
    wrong_account = (primary_id is not None and primary_account_id is not None
                     and mine.get(primary_id) is not None and mine[primary_id].account_id != primary_account_id)
    if foreign or wrong_account:
        raise ConfigurationRefused(
            "You can only choose calendars of your own connected iCloud accounts. Nothing was changed."
        )
    if primary_id is not None and mine[primary_id].account.provider == CalendarAccount.SUBSCRIPTION:
        raise ConfigurationRefused(
            "A subscribed calendar is only read: it can be checked for conflicts but cannot be the Primary "
            "Calendar. Nothing was changed."
        )
    changed: set[int] = set()
    with write_transaction():
        for cal in mine.values():
            if cal.id == primary_id:
                role = RemoteCalendar.PRIMARY
            elif cal.id in wanted_conflicts:
                role = RemoteCalendar.CONFLICT
            else:
                role = RemoteCalendar.NONE
            if cal.role != role:
                cal.role = role
                cal.save(only=[RemoteCalendar.role])
                changed.add(cal.account_id)
    if changed:
        sync.request_sync(sorted(changed))
    return changed


def parse_calendar_id(value: object) -> int:
    """A calendar id from a form or JSON; ConfigurationRefused when it cannot be one."""
    ident = parse_id(value)
    if ident is None:
        raise ConfigurationRefused("Calendar ids are whole numbers. Nothing was changed.")
    return ident


def calendars_by_account(user: User) -> list[tuple[CalendarAccount, list[RemoteCalendar]]]:
    """The user's calendars grouped by account, for the Check for Conflicts checkboxes; the subscribed
    calendars together in one group (its account is the first of them), last."""
    groups: dict[int, tuple[CalendarAccount, list[RemoteCalendar]]] = {}
    for cal in calendars_of(user):
        key = 0 if cal.account.provider == CalendarAccount.SUBSCRIPTION else cal.account_id
        groups.setdefault(key, (cal.account, []))[1].append(cal)
    if 0 in groups:
        groups[0][1].sort(key=lambda cal: (cal.name.lower(), cal.id))
    return list(groups.values())
