"""Pull: mirror the events of a CalendarAccount's read calendars into Blocked Slots.

Incremental (sync token + href/etag per object), one request for an unchanged calendar, one multiget
for a change set of up to 1,000 events (more in batches); re-expands stored objects as the window moves. Runs inside an app context.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from ..caldav_store import MULTIGET_MAX_HREFS, Forbidden, Listing, Store
from ..calendars import ical, reading
from ..db import insert_rows, write_transaction
from ..models import Appointment, BlockedSlot, CalendarAccount, RemoteCalendar, RemoteObject, SyncRun, User, utcnow
from ..times import zone_of
from . import plan as core

log = logging.getLogger(__name__)

CHUNK = 200  # ids in one IN (...) list (SQLite caps the number of bound variables of one statement)


@dataclass
class Window:
    start: datetime
    end: datetime


def sync_window(now: datetime) -> Window:
    days = int(current_app.config.get("SYNC_HORIZON_DAYS", 180))
    return Window(now - timedelta(days=1), now + timedelta(days=days))


def _own_uids(owner: User) -> set[str]:
    return {f"{u}@slotwise" for (u,) in Appointment.select(Appointment.uuid).where(Appointment.owner == owner).tuples()}


_SLOT_FIELDS = [BlockedSlot.owner, BlockedSlot.source, BlockedSlot.remote_calendar, BlockedSlot.remote_object,
                BlockedSlot.uid, BlockedSlot.recurrence_id, BlockedSlot.start_utc, BlockedSlot.end_utc,
                BlockedSlot.all_day, BlockedSlot.travel_minutes, BlockedSlot.tentative, BlockedSlot.title,
                BlockedSlot.created_at]
_OBJECT_FIELDS = [RemoteObject.calendar, RemoteObject.href, RemoteObject.etag, RemoteObject.uid, RemoteObject.data]


def _insert_slots(cal: RemoteCalendar, owner: User, slots: list[tuple[int, ical.Busy]]) -> None:
    """Blocked Slots for (RemoteObject id, occurrence) pairs, inserted in bulk."""
    now = utcnow()
    source = BlockedSlot.SUBSCRIPTION if cal.account.provider == CalendarAccount.SUBSCRIPTION else BlockedSlot.ICLOUD
    rows = [
        (owner.id, source, cal.id, object_id, b.uid[:512], b.recurrence_id, b.start, b.end, b.all_day,
         b.travel_minutes, b.tentative, b.title[:1024], now)
        for object_id, b in slots
    ]
    insert_rows(BlockedSlot, _SLOT_FIELDS, rows)


def _address(cal: RemoteCalendar) -> str | None:
    """The account's e-mail: an invitation to it that it has not answered is a tentative Blocked Slot."""
    return cal.account.email or None


def _write_slots(obj: RemoteObject, cal: RemoteCalendar, owner: User, busy: list[ical.Busy]) -> None:
    BlockedSlot.delete().where(BlockedSlot.remote_object == obj).execute()
    _insert_slots(cal, owner, [(obj.id, b) for b in busy])


def forget_calendar(cal: RemoteCalendar) -> None:
    """A calendar no longer read: drop its mirror and token, so choosing it again re-imports it."""
    with write_transaction():
        BlockedSlot.delete().where(BlockedSlot.remote_calendar == cal).execute()
        RemoteObject.delete().where(RemoteObject.calendar == cal).execute()
        RemoteCalendar.update(sync_token=None, ctag=None, empty_strikes=0, synced_until=None).where(
            RemoteCalendar.id == cal.id
        ).execute()


# --- pull --------------------------------------------------------------------------------------


def _listing(store: Store, cal: RemoteCalendar, run: SyncRun) -> Listing:
    if cal.sync_token:
        try:
            return store.sync_collection(cal.url, cal.sync_token)
        except Forbidden:
            run.add_warning(f"{cal.name}: the saved sync token was refused; compared every event instead.")
    try:
        return store.sync_collection(cal.url, None)
    except Forbidden:
        return store.list_etags(cal.url)  # the server refuses sync-collection altogether


def _local_etags(cal: RemoteCalendar, listing: Listing) -> dict[str, str | None]:
    """href → etag of the mirrored objects the plan needs: all of them for a full listing, else only
    those the listing names (an unchanged calendar then loads no row)."""
    query = RemoteObject.select(RemoteObject.href, RemoteObject.etag).where(RemoteObject.calendar == cal)
    if listing.full:
        return dict(query.tuples())
    named = [*listing.changed, *listing.deleted]
    local: dict[str, str | None] = {}
    for i in range(0, len(named), CHUNK):
        local.update(query.where(RemoteObject.href.in_(named[i : i + CHUNK])).tuples())
    return local


def pull_calendar(store: Store, cal: RemoteCalendar, run: SyncRun, window: Window, owner: User) -> None:
    zone = zone_of(owner)  # floating times and all-day events are read in it
    listing = _listing(store, cal, run)
    local = _local_etags(cal, listing)
    own_appts = {
        a.remote_href: a
        for a in Appointment.select().where(Appointment.remote_calendar == cal, Appointment.remote_href.is_null(False))
    }
    plan = core.plan_pull(
        local, listing.changed, listing.deleted, full=listing.full,
        own={href: a.remote_etag for href, a in own_appts.items()},
    )
    if plan.suspect_empty and not listing.full:
        # `local` held only the objects the listing named: the calendar is empty only if no other is left.
        total = RemoteObject.select().where(RemoteObject.calendar == cal).count()
        plan.suspect_empty = total == len(plan.delete)
    if plan.suspect_empty:
        cal.empty_strikes += 1
        if not core.empty_confirmed(cal.empty_strikes):
            cal.save()  # the token is not saved: the next sync sees the same answer and can confirm it
            run.add_warning(
                f"{cal.name}: the server suddenly lists no events (it had {len(local)}); kept them until the "
                "next sync confirms the calendar is really empty."
            )
            return
    else:
        cal.empty_strikes = 0

    own_uids = _own_uids(owner) if plan.fetch or _window_moved(cal, window) else set()
    max_hrefs = int(current_app.config.get("CALDAV_MULTIGET_MAX_HREFS", MULTIGET_MAX_HREFS))
    fetched_hrefs: set[str] = set()
    missing: list[str] = []
    retry: list[str] = []
    # Each batch is applied as it arrives: memory stays bounded and a sync cut short keeps what it read
    # (the token is saved only at the end, so the next sync fetches just what is still different).
    for fetched in store.multiget_batches(cal.url, plan.fetch, max_hrefs=max_hrefs):
        with write_transaction():
            retry += _store_objects(cal, fetched.found, listing.changed, owner, run, window, zone, own_uids)
        fetched_hrefs.update(fetched.found)
        missing += fetched.missing
    with write_transaction():
        _delete_objects(cal, plan.delete, run)
        for href, etag in plan.touch.items():
            obj, _ = RemoteObject.get_or_create(calendar=cal, href=href, defaults={"etag": etag})
            obj.etag, obj.uid, obj.data = etag, own_appts[href].event_uid, None
            obj.save()
            BlockedSlot.delete().where(BlockedSlot.remote_object == obj).execute()
        for href, etag in plan.adopt.items():
            Appointment.update(remote_etag=etag).where(Appointment.id == own_appts[href].id).execute()
        for href, etag in plan.own_changed.items():
            appt = own_appts[href]
            if appt.status != Appointment.BOOKED and etag is None:
                continue  # a cancelled appointment's copy is meant to be gone
            appt.remote_etag = etag
            appt.push_state = Appointment.PUSH_PENDING
            appt.save()
            what = "deleted" if etag is None else "changed"
            run.add_warning(f"The appointment on {appt.start_utc:%Y-%m-%d %H:%M} UTC was {what} in iCloud; "
                            "Slotwise restores it.")
        if missing:
            for href in missing:
                log.warning("calendar %s: %s was listed but could not be read", cal.id, href)
            run.add_warning(f"{cal.name}: {len(missing)} event(s) could not be read; tried again next sync.")
        elif retry:
            pass  # the token is not saved: the next sync fetches these objects once more
        else:
            cal.sync_token = listing.token
        _extend_window(cal, owner, window, zone, skip=fetched_hrefs, own_uids=own_uids)
        cal.synced_until = window.end
        cal.save()


def _delete_objects(cal: RemoteCalendar, hrefs: list[str], run: SyncRun) -> None:
    for href in hrefs:
        obj = RemoteObject.get_or_none(RemoteObject.calendar == cal, RemoteObject.href == href)
        if obj is not None:
            BlockedSlot.delete().where(BlockedSlot.remote_object == obj).execute()
            obj.delete_instance()
            run.deleted += 1


# --- a source that hands over every object at once (a subscribed calendar) ------------------------


def mirror_everything(cal: RemoteCalendar, run: SyncRun, window: Window, owner: User,
                      objects: dict[str, tuple[str, str]]) -> bool:
    """Mirror a calendar given whole (href → (etag, text)), with pull_calendar's plan, empty guard and readers.

    Returns True when the answer was taken in full (the caller may then remember its validators); False
    when a suddenly empty calendar waits for confirmation or an event is to be read once more.
    """
    zone = zone_of(owner)
    local = dict(RemoteObject.select(RemoteObject.href, RemoteObject.etag).where(RemoteObject.calendar == cal).tuples())
    listed = {href: etag for href, (etag, _) in objects.items()}
    plan = core.plan_pull(local, listed, [], full=True, own={})
    if plan.suspect_empty:
        cal.empty_strikes += 1
        if not core.empty_confirmed(cal.empty_strikes):
            cal.save()
            run.add_warning(f"{cal.name}: the feed suddenly lists no events (it had {len(local)}); kept them "
                            "until the next fetch confirms the calendar is really empty.")
            return False
    else:
        cal.empty_strikes = 0
    own_uids = _own_uids(owner)  # the owner's own appointments in a published calendar never block twice
    with write_transaction():
        retry = _store_objects(cal, {href: objects[href] for href in plan.fetch}, listed, owner, run, window, zone,
                               own_uids)
        _delete_objects(cal, plan.delete, run)
        _extend_window(cal, owner, window, zone, skip=set(plan.fetch), own_uids=own_uids)
        cal.synced_until = window.end
        cal.save()
    return not retry


def mirror_unchanged(cal: RemoteCalendar, window: Window, owner: User) -> None:
    """The source answered "unchanged": only re-expand the stored objects when the window moved."""
    if not _window_moved(cal, window):
        return
    with write_transaction():
        _extend_window(cal, owner, window, zone_of(owner), skip=set(), own_uids=_own_uids(owner))
        cal.synced_until = window.end
        cal.save()


def _window_moved(cal: RemoteCalendar, window: Window) -> bool:
    return cal.synced_until is None or cal.synced_until.date() < window.end.date()


UNREADABLE = "unreadable:"  # etag prefix of a version that could not be read


def _store_objects(cal: RemoteCalendar, found: dict[str, tuple[str | None, str]], listed: dict[str, str | None],
                   owner: User, run: SyncRun, window: Window, zone: ZoneInfo, own_uids: set[str]) -> list[str]:
    """Mirror fetched objects in bulk; return the hrefs to fetch once more (unreadable the first time)."""
    hrefs = list(found)
    known: dict[str, RemoteObject] = {}
    for i in range(0, len(hrefs), CHUNK):
        chunk = RemoteObject.select(RemoteObject.id, RemoteObject.href, RemoteObject.etag).where(
            RemoteObject.calendar == cal, RemoteObject.href.in_(hrefs[i : i + CHUNK]))
        known.update((obj.href, obj) for obj in chunk)
    retry: list[str] = []
    new_rows: list[tuple] = []
    busy_by_href: dict[str, list[ical.Busy]] = {}
    replaced: list[int] = []
    for href, (etag, data) in found.items():
        etag = etag or listed.get(href)
        obj = known.get(href)
        try:
            uid, busy = reading.read_object(data, window.start, window.end, zone, _address(cal))
            uid = uid[:512] if uid else uid  # the column's length (PostgreSQL refuses a longer value)
        except ical.UnparseableObject as exc:
            log.warning("calendar %s: skipped %s: %s", cal.id, href, exc)
            run.skipped += 1
            run.add_warning(f"{cal.name}: skipped an event that could not be read ({href.rsplit('/', 1)[-1]}).")
            # A garbled transfer looks the same as a broken event: fetch this version once more before
            # accepting it as unreadable. Rows from an earlier, readable version stay meanwhile.
            marker = f"{UNREADABLE}{etag}"
            if obj is None:
                new_rows.append((cal.id, href, marker, None, None))
                retry.append(href)
            elif obj.etag != marker:
                RemoteObject.update(etag=marker).where(RemoteObject.id == obj.id).execute()
                retry.append(href)
            continue
        own = uid in own_uids  # an appointment's own event: never a Blocked Slot
        busy_by_href[href] = [] if own else busy
        if obj is None:
            new_rows.append((cal.id, href, etag, uid, data))
            run.pulled += 0 if own else 1
        else:
            RemoteObject.update(etag=etag, uid=uid, data=data).where(RemoteObject.id == obj.id).execute()
            replaced.append(obj.id)
            run.updated += 0 if own else 1
    insert_rows(RemoteObject, _OBJECT_FIELDS, new_rows)
    for i in range(0, len(replaced), CHUNK):
        BlockedSlot.delete().where(BlockedSlot.remote_object.in_(replaced[i : i + CHUNK])).execute()
    ids = {href: obj.id for href, obj in known.items()}
    for i in range(0, len(new_rows), CHUNK):
        ids.update(RemoteObject.select(RemoteObject.href, RemoteObject.id).where(
            RemoteObject.calendar == cal, RemoteObject.href.in_([row[1] for row in new_rows[i : i + CHUNK]])).tuples())
    _insert_slots(cal, owner, [(ids[href], b) for href, busy in busy_by_href.items() for b in busy])
    return retry


def _extend_window(cal: RemoteCalendar, owner: User, window: Window, zone: ZoneInfo, *, skip: set[str],
                   own_uids: set[str]) -> None:
    """Days passed since the last expansion: re-expand stored objects, no request needed."""
    if not _window_moved(cal, window):
        return
    for obj in RemoteObject.select().where(RemoteObject.calendar == cal, RemoteObject.data.is_null(False)):
        if obj.href in skip or (obj.uid and obj.uid in own_uids):
            continue
        try:
            _, busy = reading.read_object(obj.data, window.start, window.end, zone, _address(cal))
        except ical.UnparseableObject:
            continue  # reported when it was fetched; rows from a readable version stay
        _write_slots(obj, cal, owner, busy)
