"""Entry points to the sync engine used by the views, the CLI and the scheduler.

At most one sync per account runs at a time, whoever asks. A sync asked for while one runs for the
same account waits for it and then runs (never dropped), so a sync that returns reflects the server
as it was when it was asked for.

Background work: `request_sync` and `request_push` return at once and run in a daemon thread with its
own app context. With `SYNC_INLINE` (default: on when the app is testing) they run synchronously in
the caller, so tests are deterministic.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import Flask, current_app

from ..background import in_background
from ..models import Appointment, CalendarAccount, SyncRun, utcnow
from .locks import account_lock
from .run import sync_account

__all__ = ["account_lock", "due_account_ids", "request_push", "request_sync", "sync_account_now", "sync_due_accounts"]

log = logging.getLogger(__name__)


def _inline(app: Flask) -> bool:
    return bool(app.config.get("SYNC_INLINE", app.testing))


def _run_locked(account_id: int, *, pull: bool = True, push: bool = True) -> SyncRun | None:
    with account_lock(account_id):
        return sync_account(account_id, pull=pull, push=push)


def _in_background(app: Flask, work, *args, **kwargs) -> None:
    in_background(app, "slotwise-sync", work, *args, **kwargs)


def _sync_many(account_ids: list[int], pull: bool = True) -> None:
    for account_id in account_ids:
        _run_locked(account_id, pull=pull)


def request_sync(account_ids: Iterable[int]) -> None:
    """Ask for a sync of these accounts soon (in the background)."""
    ids = [int(i) for i in account_ids]
    if not ids:
        return
    app = current_app._get_current_object()
    if _inline(app):
        _sync_many(ids)
    else:
        _in_background(app, _sync_many, ids)


def sync_account_now(account_id: int) -> SyncRun | None:
    """Sync one account now and return when done (Sync now, the CLI); waits for a running sync first.

    Returns the SyncRun written, or None when the account cannot be synced (it needs reconnecting).
    """
    return _run_locked(int(account_id))


def request_push(appointment_id: int) -> None:
    """An appointment was booked, rescheduled or cancelled: write it to its Primary Calendar soon.

    The appointment joins the outbox (push_state pending) at once, so a push that fails or never runs
    is retried by every periodic sync.
    """
    appt = Appointment.get_or_none(Appointment.id == appointment_id)
    if appt is None:
        return
    Appointment.update(push_state=Appointment.PUSH_PENDING, updated_at=utcnow()).where(
        Appointment.id == appt.id
    ).execute()
    ids = [a.id for a in CalendarAccount.select(CalendarAccount.id).where(
        CalendarAccount.owner == appt.owner_id, CalendarAccount.provider != CalendarAccount.SUBSCRIPTION)]
    if not ids:
        Appointment.update(push_state=Appointment.PUSH_NONE).where(Appointment.id == appt.id).execute()
        return
    app = current_app._get_current_object()
    if _inline(app):
        _sync_many(ids, pull=False)
    else:
        _in_background(app, _sync_many, ids, pull=False)


def due_account_ids() -> list[int]:
    """Accounts the scheduler should sync now: not waiting for a reconnect, not backing off."""
    now = utcnow()
    query = CalendarAccount.select(CalendarAccount.id).where(
        CalendarAccount.status != CalendarAccount.NEEDS_RECONNECT,
        (CalendarAccount.next_sync_after.is_null()) | (CalendarAccount.next_sync_after <= now),
    )
    return [a.id for a in query]


def sync_due_accounts() -> int:
    """The periodic job: sync every due account; returns how many were synced."""
    ids = due_account_ids()
    for account_id in ids:
        try:
            _run_locked(account_id)
        except Exception:  # one account's failure must never skip the accounts after it
            log.exception("sync of account %s failed", account_id)
    return len(ids)
