"""The pure core of the sync: decide what to do from (status, local, remote); pull.py and push.py apply it.

No network, no database: plain dicts in, a plan out, so every rule here is tested in isolation.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

# A calendar that had at least this many objects and suddenly lists none is suspect (vdirsyncer's
# StorageEmpty): its rows stay until a second sync in a row confirms it is really empty.
EMPTY_GUARD_MIN = 3
EMPTY_CONFIRMATIONS = 2

BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 3600


@dataclass
class PullPlan:
    fetch: list[str] = field(default_factory=list)  # hrefs to read with one multiget
    delete: list[str] = field(default_factory=list)  # hrefs whose Blocked Slots go
    touch: dict[str, str | None] = field(default_factory=dict)  # Slotwise's own events: record etag only
    own_changed: dict[str, str | None] = field(default_factory=dict)  # own events edited (etag) or deleted (None)
    adopt: dict[str, str] = field(default_factory=dict)  # own events whose write landed unheard: learn the etag
    suspect_empty: bool = False


def plan_pull(
    local: dict[str, str | None],
    changed: dict[str, str | None],
    deleted: list[str],
    *,
    full: bool,
    own: dict[str, str | None],
) -> PullPlan:
    """What to fetch and delete for one calendar.

    local: href → etag already mirrored; changed/deleted: the server's answer (a full listing when
    `full`); own: href → etag of the events Slotwise wrote for appointments in this calendar.
    """
    plan = PullPlan()
    gone = set(deleted)
    if full:
        gone |= {href for href in local if href not in changed}
        gone |= {href for href in own if href not in changed}
    for href, etag in changed.items():
        if href in own:
            # Never imported as a Blocked Slot; an etag we did not write means someone edited it,
            # unless we never heard back from our own write (no etag known): then it is ours to adopt.
            if own[href] is None and etag is not None:
                plan.adopt[href] = etag
            elif etag is None or etag != own[href]:
                plan.own_changed[href] = etag
            plan.touch[href] = etag
        elif etag is None or local.get(href) != etag or href not in local:
            plan.fetch.append(href)
    for href in sorted(gone):
        if own.get(href) is not None:  # unconfirmed writes (no etag) are still in the outbox anyway
            plan.own_changed[href] = None
        if href in local:
            plan.delete.append(href)
    remaining = (set(local) - set(plan.delete)) | set(plan.fetch) | set(plan.touch)
    plan.suspect_empty = not remaining and len(local) >= EMPTY_GUARD_MIN
    return plan


def empty_confirmed(strikes: int) -> bool:
    """`strikes` counts consecutive syncs (this one included) that found the calendar empty."""
    return strikes >= EMPTY_CONFIRMATIONS


# --- push ----------------------------------------------------------------------------------------

DELETE_REMOTE = "delete_remote"  # remove the copy where it is (cancelled, or Primary Calendar changed)
WRITE = "write"  # create or update the copy in the Primary Calendar
MARK_NONE = "mark_none"  # no Primary Calendar: nothing is written anywhere
KEEP = "keep"  # a past appointment stays where it was written


def plan_push(
    *,
    booked: bool,
    end_utc: datetime,
    now: datetime,
    primary_id: int | None,
    remote_calendar_id: int | None,
    has_remote_copy: bool,
) -> list[str]:
    """The steps that bring one appointment's remote copy to where it belongs, in order."""
    steps: list[str] = []
    if not booked:
        return [DELETE_REMOTE] if has_remote_copy else []
    if primary_id is None:
        return [MARK_NONE]
    if has_remote_copy and remote_calendar_id != primary_id:
        if end_utc < now - timedelta(days=1):
            return [KEEP]  # past appointments need not move
        # iCloud refuses one UID in two calendars of an account: delete first, then create.
        steps.append(DELETE_REMOTE)
    steps.append(WRITE)
    return steps


def backoff_seconds(consecutive_failures: int) -> int:
    """Exponential backoff after failed syncs: 1, 2, 4 … minutes, capped at an hour."""
    if consecutive_failures <= 0:
        return 0
    return min(BACKOFF_BASE_SECONDS * 2 ** (consecutive_failures - 1), BACKOFF_CAP_SECONDS)
