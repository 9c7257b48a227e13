"""Entry points to the sync engine used by the views, the CLI and the scheduler.

Until the sync issue lands these are no-ops; callers already call them where they must.
"""
from __future__ import annotations

from collections.abc import Iterable


def request_sync(account_ids: Iterable[int]) -> None:
    """Ask for a sync of these accounts soon (in the background)."""


def sync_account_now(account_id: int) -> None:
    """Sync one account now and return when done (Sync now, the CLI); waits for a running sync first."""


def request_push(appointment_id: int) -> None:
    """An appointment was booked, rescheduled or cancelled: write it to its Primary Calendar soon."""
