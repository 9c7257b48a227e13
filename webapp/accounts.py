"""CalendarAccount helpers shared by connect and configuration.

Connecting, reconnecting and disconnecting iCloud accounts, and how an account is shown. Views stay thin:
they parse input, call these and render. The Primary Calendar and Check for Conflicts roles are in
calendar_roles.py; the account's health (Connected, Error, Needs reconnect) is written by the sync
(`webapp.sync.run`).
"""
from __future__ import annotations

import logging
import re
from datetime import datetime

from .caldav_store import (
    BadCredentials,
    CalendarInfo,
    HostNotAllowed,
    ResponseTooLarge,
    StoreError,
    canonical_href,
)
from .cleaning import clean_email
from .crypto import encrypt
from .db import write_transaction
from .ids import parse_id
from .models import Appointment, BlockedSlot, CalendarAccount, RemoteCalendar, RemoteObject, User, utcnow
from .sync import request_sync
from .sync.run import set_ok, store_for

log = logging.getLogger(__name__)

APP_PASSWORD = re.compile(r"^[a-z]{16}$")

STATUS_LABELS = {
    CalendarAccount.CONNECTED: "Connected",
    CalendarAccount.NEEDS_RECONNECT: "Needs reconnect",
    CalendarAccount.ERROR: "Error",
}


def normalise_app_password(raw: str) -> str | None:
    """Apple's app-specific passwords are 16 letters, shown as xxxx-xxxx-xxxx-xxxx.

    Accept any case, with or without dashes or spaces; return the lowercase dashed form, or None
    when it cannot be one (most often: the Apple ID password typed instead).
    """
    letters = re.sub(r"[\s-]", "", raw or "").lower()
    if not APP_PASSWORD.match(letters):
        return None
    return "-".join(letters[i : i + 4] for i in range(0, 16, 4))




# --- connecting ----------------------------------------------------------------------------------


class ConnectProblem(Exception):
    """Connecting failed and nothing was saved. `errors` maps a form field ("email", "password" or
    "form") to words the user can act on; `kind` lets the page add the matching explanation."""

    def __init__(self, kind: str, errors: dict[str, str]):
        super().__init__(kind)
        self.kind = kind
        self.errors = errors

    def __str__(self) -> str:
        return " ".join(self.errors.values())


def _check_shape(email: str | None, raw_password: str) -> tuple[str, str]:
    errors: dict[str, str] = {}
    kind = ""
    apple_id = clean_email(email) if email is not None else ""
    if apple_id is None:
        errors["email"] = "Enter the e-mail address of your Apple ID, such as name@icloud.com."
        kind = "email"
    password = normalise_app_password(raw_password)
    if password is None:
        # The page adds why (Apple requires an app-specific password) and where to make one.
        errors["password"] = (
            "This is not an app-specific password: those are four groups of four letters, like abcd-efgh-ijkl-mnop."
        )
        kind = kind or "password_shape"
    if errors:
        raise ConnectProblem(kind, errors)
    return apple_id or "", password or ""


def _list_calendars(email: str, password: str) -> list[CalendarInfo]:
    """Log in for real and list the event calendars; failures become ConnectProblem."""
    try:
        with store_for(email, password) as store:
            calendars = store.list_calendars()
    except BadCredentials:
        raise ConnectProblem(
            "bad_credentials",
            {"password": "Apple did not accept this e-mail and app-specific password."},
        ) from None
    except (HostNotAllowed, ResponseTooLarge) as exc:
        raise ConnectProblem("unreachable", {"form": f"{exc} Nothing was saved."}) from None
    except StoreError as exc:
        # Unreachable, ServerError, RateLimited, MalformedResponse and anything else from the server.
        log.info("connect to iCloud failed for %s: %s", email, type(exc).__name__)
        raise ConnectProblem(
            "unreachable", {"form": "iCloud could not be reached. Nothing was saved; please try again in a moment."}
        ) from None
    if not calendars:
        raise ConnectProblem(
            "no_calendars",
            {"form": "Apple accepted the password, but this iCloud account has no calendars with events. "
                     "Create a calendar in the Calendar app on your iPhone or Mac, then connect again."},
        )
    return calendars


def _refresh_calendars(account: CalendarAccount, found: list[CalendarInfo]) -> None:
    """Make the account's RemoteCalendars match the server's list, keeping roles and sync state."""
    # Keyed by one spelling per URL: servers differ on percent-encoding (`@` or `%40`) between answers.
    existing = {canonical_href(cal.url, cal.url): cal for cal in account.calendars}
    for info in found:
        cal = existing.pop(canonical_href(info.url, info.url), None)
        if cal is None:
            # sync_token stays None: the sync engine's first run fills it.
            RemoteCalendar.create(account=account, url=info.url, name=info.name, color=info.color, ctag=info.ctag)
        elif (cal.name, cal.color) != (info.name, info.color):
            # ctag is left alone: it records what the sync engine last read, not what the server has now.
            cal.name, cal.color = info.name, info.color
            cal.save()
    for gone in existing.values():
        log.info("calendar %s of account %s is gone from the server", gone.id, account.id)
        gone.delete_instance(recursive=False)


def connect_account(user: User, email: str, raw_password: str) -> CalendarAccount:
    """Log in to iCloud with an app-specific password and store the account with its calendars.

    Connecting an Apple ID this user already has updates its password and calendar list (roles
    kept) instead of adding a second account. Raises ConnectProblem, with nothing saved, on failure.
    """
    email, password = _check_shape(email, raw_password)
    found = _list_calendars(email, password)
    with write_transaction():
        account = CalendarAccount.get_or_none(
            (CalendarAccount.owner == user) & (CalendarAccount.provider == "icloud") & (CalendarAccount.email == email)
        )
        if account is None:
            account = CalendarAccount.create(owner=user, email=email, password_encrypted=encrypt(password))
            log.info("user %s connected iCloud account %s", user.id, account.id)
        else:
            account.password_encrypted = encrypt(password)
            log.info("user %s connected iCloud account %s again: password updated", user.id, account.id)
        set_ok(account)
        account.save()
        _refresh_calendars(account, found)
    request_sync([account.id])
    return account


def reconnect_account(account: CalendarAccount, raw_password: str) -> CalendarAccount:
    """Replace the account's app-specific password after logging in with it; Connected on success."""
    _, password = _check_shape(None, raw_password)
    found = _list_calendars(account.email, password)
    with write_transaction():
        account.password_encrypted = encrypt(password)
        set_ok(account)
        account.save()
        _refresh_calendars(account, found)
    log.info("iCloud account %s reconnected", account.id)
    request_sync([account.id])  # its calendars block time again as soon as they are read
    return account


def disconnect_account(account: CalendarAccount) -> None:
    """Forget the account: credentials, its calendars (and so any Primary / Check for Conflicts choice),
    their remote objects and the Blocked Slots read from them. Appointments stay in Slotwise."""
    calendars = RemoteCalendar.select(RemoteCalendar.id).where(RemoteCalendar.account == account)
    with write_transaction():
        # Explicit rather than trusting ON DELETE alone: a database opened without foreign keys
        # would otherwise keep orphaned Blocked Slots that still block time.
        BlockedSlot.delete().where(BlockedSlot.remote_calendar.in_(calendars)).execute()
        RemoteObject.delete().where(RemoteObject.calendar.in_(calendars)).execute()
        Appointment.update(remote_calendar=None).where(Appointment.remote_calendar.in_(calendars)).execute()
        RemoteCalendar.delete().where(RemoteCalendar.account == account).execute()
        account.delete_instance()
    log.info("iCloud account %s disconnected", account.id)


def account_of(user: User, account_id: object) -> CalendarAccount | None:
    """The account if `account_id` (an int or text from outside) names one of this user's; None otherwise
    (callers answer 404)."""
    ident = parse_id(account_id)
    if ident is None:
        return None
    return CalendarAccount.get_or_none((CalendarAccount.id == ident) & (CalendarAccount.owner == user))


# --- how an account is shown --------------------------------------------------------------------


def status_label(account: CalendarAccount) -> str:
    return STATUS_LABELS.get(account.status, account.status)


def last_synced_words(when: datetime | None, now: datetime | None = None) -> str:
    """"Last synced 5 min ago" for the account card."""
    if when is None:
        return "Not synced yet"
    minutes = int(((now or utcnow()) - when).total_seconds() // 60)
    if minutes < 1:
        return "Last synced just now"
    if minutes < 60:
        return f"Last synced {minutes} min ago"
    if minutes < 48 * 60:
        return f"Last synced {minutes // 60} h ago"
    return f"Last synced {when:%Y-%m-%d %H:%M} UTC"
