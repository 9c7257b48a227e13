"""One run of one CalendarAccount: open its Store, pull its read calendars, push its appointments, write a SyncRun.

Also the account's health as the sync sees it (Connected, Error with back-off, Needs reconnect) and the one
place a Store is opened from the app's settings. Runs inside an app context; the caller holds the account's lock.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app

from ..caldav_store import BadCredentials, HostNotAllowed, NotFound, RateLimited, ResponseTooLarge, Store, StoreError
from ..crypto import SecretUnreadable, decrypt
from ..feeds import FeedError
from ..feeds import RateLimited as FeedRateLimited
from ..models import CalendarAccount, SyncRun, utcnow
from . import health, plan
from .feed import fetcher_for_app, pull_feed
from .pull import forget_calendar, pull_calendar, sync_window
from .push import push_appointments

log = logging.getLogger(__name__)

FEED_UNREADABLE = ("The encryption key of this Slotwise server changed, so the saved address of this subscribed "
                   "calendar can no longer be read. Remove it and add it again.")
PASSWORD_UNREADABLE = ("The encryption key of this Slotwise server changed, so the saved app-specific password "
                       "can no longer be read. Reconnect the account with an app-specific password.")


# --- opening the store ---------------------------------------------------------------------------


def store_for(email: str, password: str) -> Store:
    """A Store on the configured server, with the configured timeout, allowed hosts and reply cap.

    CALDAV_REQUEST_HOOK (app config only, never from the environment) is the Store's `request_hook`:
    the tests' way to put faults on the wire of every Store the app opens.
    """
    config = current_app.config
    return Store(
        config["ICLOUD_CALDAV_URL"],
        email,
        password,
        timeout=float(config["CALDAV_TIMEOUT_SECONDS"]),
        allowed_hosts=config["CALDAV_ALLOWED_HOSTS"],
        max_response_bytes=int(config["CALDAV_MAX_RESPONSE_BYTES"]),
        request_hook=config.get("CALDAV_REQUEST_HOOK"),
    )


def open_store(account: CalendarAccount) -> Store:
    """An authenticated Store for the account (the password is decrypted only here)."""
    return store_for(account.email, decrypt(account.password_encrypted))


def _open_other(account: CalendarAccount) -> Store:
    """The Store of another account of the owner (its copy of an appointment is to be deleted)."""
    try:
        return open_store(account)
    except SecretUnreadable:
        mark_needs_reconnect(account, PASSWORD_UNREADABLE)
        raise StoreError("The old copy is in another iCloud account whose saved password can no longer be "
                         "read (the encryption key changed): reconnect that account.") from None


# --- account health ------------------------------------------------------------------------------


def set_ok(account: CalendarAccount) -> None:
    """Connected, no last error, no back-off (not saved: the caller saves with its own changes)."""
    account.status = CalendarAccount.CONNECTED
    account.last_error = None
    account.consecutive_failures = 0
    account.next_sync_after = None


def mark_ok(account: CalendarAccount, synced_at: datetime | None = None) -> None:
    """The account worked: Connected, no last error, no back-off; `synced_at` when a sync finished."""
    set_ok(account)
    if synced_at is not None:
        account.last_synced_at = synced_at
    account.save()


def mark_needs_reconnect(account: CalendarAccount, message: str) -> None:
    """Apple refused the password (401): its calendars stop blocking time until the user reconnects."""
    account.status = CalendarAccount.NEEDS_RECONNECT
    account.last_error = message
    # Only these two fields: another account's sync may mark this one while its own sync writes the rest.
    account.save(only=[CalendarAccount.status, CalendarAccount.last_error])


def mark_error(account: CalendarAccount, message: str, retry_at: datetime | None = None) -> None:
    """Something other than the password failed; `message` is shown to the user as it is.

    `retry_at` is when the scheduler may try again (Retry-After or back-off)."""
    account.status = CalendarAccount.ERROR
    account.last_error = message
    account.consecutive_failures += 1
    account.next_sync_after = retry_at
    account.save()


def _back_off(account: CalendarAccount, message: str, now: datetime, retry_after: float | None = None) -> None:
    """Retry-After when the server gave one, exponential back-off otherwise."""
    wait = retry_after if retry_after else plan.backoff_seconds(account.consecutive_failures + 1)
    mark_error(account, message, retry_at=now + timedelta(seconds=wait))


def _capped(wait: float | None) -> float | None:
    """A server's Retry-After held to the back-off cap (a server may send any number); None when unusable."""
    if wait is not None and wait >= plan.BACKOFF_CAP_SECONDS:
        return plan.BACKOFF_CAP_SECONDS
    if wait is not None and not wait > 0:  # zero, negative or NaN: back off as if none was given
        return None
    return wait


def _retry_after(exc: RateLimited) -> tuple[float | None, str]:
    """The server's Retry-After, held to the back-off cap, and the words."""
    wait = _capped(exc.retry_after)
    return wait, str(exc) if wait == exc.retry_after else str(RateLimited(retry_after=wait))


# --- one run -------------------------------------------------------------------------------------


SKIPPED = "Skipped: the account needs reconnecting (or is gone), so the booking went on from the mirror."


def sync_account(account_id: int, *, pull: bool = True, push: bool = True, run: SyncRun | None = None) -> SyncRun | None:
    """Sync one account now (the caller holds its lock). None when the account cannot be synced.

    `run`: a SyncRun made beforehand to record this one in (the check before a booking makes its own).
    """
    account = CalendarAccount.get_or_none(CalendarAccount.id == account_id)
    if account is None or account.status == CalendarAccount.NEEDS_RECONNECT or not account.password_encrypted:
        if run is not None:
            run.add_warning(SKIPPED)
            run.finished_at = utcnow()
            run.save()
        return None
    if account.provider == CalendarAccount.SUBSCRIPTION:
        return _sync_feed(account) if pull else None  # a feed has nothing to push
    now = utcnow()
    run = run or SyncRun.create(account=account, started_at=now)
    store: Store | None = None
    failed: list[str] = []  # calendars this run could not read; the others go on
    try:
        store = open_store(account)
        calendars = list(account.calendars)
        for cal in calendars:
            if not cal.is_read and (cal.sync_token or cal.synced_until or cal.objects.exists()):
                forget_calendar(cal)
        if pull:
            window = sync_window(now)
            for cal in calendars:
                if cal.is_read:
                    try:
                        with health.reading(cal, store):
                            pull_calendar(store, cal, run, window, account.owner)
                    except NotFound:
                        run.add_warning(f"{cal.name}: this calendar no longer exists in iCloud; "
                                        "choose your calendars again.")
                    except (ResponseTooLarge, HostNotAllowed) as exc:
                        failed.append(f"{cal.name}: {exc}")
        if push:
            push_appointments(store, account, run, now, open_other=_open_other)
    except SecretUnreadable:
        run.error = PASSWORD_UNREADABLE
        mark_needs_reconnect(account, run.error)
    except BadCredentials as exc:
        run.error = f"{exc} Reconnect the account with a new app-specific password."
        mark_needs_reconnect(account, run.error)
    except RateLimited as exc:
        wait, run.error = _retry_after(exc)
        _back_off(account, run.error, now, retry_after=wait)
    except StoreError as exc:
        run.error = str(exc)
        _back_off(account, run.error, now)
    except Exception as exc:  # a bug must not kill the scheduler thread; it is logged in full
        log.exception("sync of account %s failed", account.id)
        run.error = f"The sync stopped on an unexpected error ({type(exc).__name__}); it will be tried again."
        _back_off(account, run.error, now)
    else:
        if failed:  # shown on the account like any sync error; the back-off spares a server sending too much
            run.error = " ".join(failed)
            _back_off(account, run.error, now)
        else:
            mark_ok(account, synced_at=utcnow())
    finally:
        if store is not None:
            run.requests += store.requests
            store.close()
        run.finished_at = utcnow()
        run.save()
    return run


def _sync_feed(account: CalendarAccount) -> SyncRun | None:
    """Fetch a subscribed calendar now (the caller holds its lock). None while it is not checked for conflicts."""
    cal = account.calendars.first()
    if cal is None:
        return None
    if not cal.is_read:
        if cal.synced_until or cal.objects.exists():
            forget_calendar(cal)
        return None
    now = utcnow()
    run = SyncRun.create(account=account, started_at=now)
    fetcher = fetcher_for_app()
    try:
        pull_feed(fetcher, decrypt(account.password_encrypted), cal, run, sync_window(now), account.owner)
    except SecretUnreadable:
        run.error = FEED_UNREADABLE
        _back_off(account, run.error, now)
    except FeedRateLimited as exc:
        wait = _capped(exc.retry_after)
        run.error = str(exc)
        _back_off(account, run.error, now, retry_after=wait)
    except FeedError as exc:
        run.error = str(exc)
        _back_off(account, run.error, now)
    except Exception as exc:  # a bug must not kill the scheduler thread; logged in full (never the address)
        log.exception("fetch of subscribed calendar %s failed", account.id)
        run.error = f"The fetch stopped on an unexpected error ({type(exc).__name__}); it will be tried again."
        _back_off(account, run.error, now)
    else:
        mark_ok(account, synced_at=utcnow())
    finally:
        run.requests += fetcher.requests
        run.finished_at = utcnow()
        run.save()
        health.record(cal, fetcher.requests, run.error)
    return run
