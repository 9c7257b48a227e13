"""The just-in-time check before a booking: read what changed in every calendar that blocks the owners' time.

For each CalDAV account of the owners with a Primary Calendar or Check for Conflicts calendar, one pull of
those calendars (webapp.sync.pull, the same as the periodic sync's: the sync-collection with the stored
token, one request per unchanged calendar, a multiget where something changed; no discovery, no push)
under the account's lock, so a check and a periodic sync never run on one account at once. The booking's
own re-check, inside its transaction, then sees the calendar as it is now.

Each account is read in a thread of its own (own app context and database connection), and the booking
waits at most JIT_CHECK_BUDGET_MS for all of them (0 turns the check off): an account that has not answered by then is left to
finish on its own (it still applies what it reads) and the booking goes on from the mirror; its SyncRun
(kind "check") says so. A check never fails a booking: its errors are the SyncRun's and the account's,
as a periodic sync's are (a refused password marks the account Needs reconnect). Accounts waiting for a
reconnect or backing off (Retry-After, repeated failures) and providers that are not CalDAV (subscribed
feeds) are left out.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from ..background import in_background
from ..models import BlockedSlot, CalendarAccount, RemoteCalendar, SyncRun, User, utcnow
from . import account_lock
from .run import sync_account

log = logging.getLogger(__name__)

CALDAV_PROVIDERS = ("icloud",)  # accounts read over CalDAV; a subscribed feed ("subscription") is not
LATE = ("The calendar server did not answer within the booking's time budget of {ms} ms, so the booking "
        "went on from the calendars as last synced; this check finished on its own afterwards.")


@dataclass
class Check:
    """What one check did: its SyncRuns (one per account) and those that outran the budget."""

    started_at: datetime
    runs: list[SyncRun] = field(default_factory=list)
    late: list[SyncRun] = field(default_factory=list)


def configured_budget_ms() -> int:
    return int(current_app.config["JIT_CHECK_BUDGET_MS"])


def accounts_to_check(users: Iterable[User]) -> list[CalendarAccount]:
    """The owners' CalDAV accounts that have a calendar blocking time and may be read now."""
    owner_ids = [user.id for user in users]
    blocking = RemoteCalendar.select(RemoteCalendar.account).where(
        RemoteCalendar.role.in_([RemoteCalendar.PRIMARY, RemoteCalendar.CONFLICT]))
    return list(CalendarAccount.select().where(
        CalendarAccount.owner.in_(owner_ids),
        CalendarAccount.provider.in_(CALDAV_PROVIDERS),
        CalendarAccount.status != CalendarAccount.NEEDS_RECONNECT,
        CalendarAccount.password_encrypted.is_null(False),
        # backing off (Retry-After, repeated failures): the server is left alone until then, as by the sync
        CalendarAccount.next_sync_after.is_null() | (CalendarAccount.next_sync_after <= utcnow()),
        CalendarAccount.id.in_(blocking),
    ).order_by(CalendarAccount.id))


def _read(run: SyncRun) -> None:
    with account_lock(run.account_id):
        sync_account(run.account_id, pull=True, push=False, run=run)


def check_before_booking(users: Iterable[User], budget_ms: int | None = None) -> Check:
    """Bring the mirror of the owners' blocking calendars up to the server's state, within the budget.

    Call it before the booking transaction (never inside it: the reads write to the mirror).
    """
    check = Check(started_at=utcnow())
    try:
        budget = configured_budget_ms() if budget_ms is None else int(budget_ms)
        accounts = accounts_to_check(users) if budget > 0 else []  # 0: no check, book from the mirror
        if not accounts:
            return check
        app = current_app._get_current_object()
        check.runs = [SyncRun.create(account=a, kind=SyncRun.CHECK, started_at=check.started_at) for a in accounts]
        threads = [in_background(app, f"slotwise-check-{run.account_id}", _read, run) for run in check.runs]
        deadline = time.monotonic() + budget / 1000
        for run, thread in zip(check.runs, threads):
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                check.late.append(run)
        for run in check.late:
            # The thread shares this SyncRun object, so its own final save keeps the warning too.
            run.add_warning(LATE.format(ms=budget))
            SyncRun.update(warnings=run.warnings).where(SyncRun.id == run.id).execute()
            log.warning("check before booking: account %s did not answer within %s ms; booking from the mirror",
                        run.account_id, budget)
    except Exception:  # the check must never stop a booking: it goes on from the mirror
        log.exception("check before booking failed; booking from the mirror")
    return check


def newly_busy(user: User, start: datetime, end: datetime, since: datetime) -> bool:
    """True when a Blocked Slot written since `since` (by the check, say) covers part of [start, end)."""
    return BlockedSlot.select().where(
        BlockedSlot.owner == user, BlockedSlot.start_utc < end, BlockedSlot.end_utc > start,
        BlockedSlot.created_at >= since,
    ).exists()
