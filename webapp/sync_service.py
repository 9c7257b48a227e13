"""The DB-facing sync of one CalendarAccount: pull remote events into Blocked Slots, push appointments.

Runs inside an app context. Plans come from the pure core (calendars/sync.py); this module reads the
database, talks to the Store, and writes the result and a SyncRun.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app

from . import accounts
from .calendars import ical
from .calendars import sync as core
from .calendars.caldav_store import (
    BadCredentials,
    EtagMismatch,
    Forbidden,
    Listing,
    MalformedResponse,
    NotFound,
    PreconditionFailed,
    RateLimited,
    ServerError,
    Store,
    StoreError,
    Unreachable,
    canonical_href,
)
from .db import database
from .models import Appointment, BlockedSlot, CalendarAccount, RemoteCalendar, RemoteObject, SyncRun, User, utcnow

log = logging.getLogger(__name__)

# Failures that concern the whole account: stop this run, keep the appointment in the outbox.
ACCOUNT_FAILURES = (BadCredentials, RateLimited, Unreachable, ServerError, MalformedResponse)


def open_store(account: CalendarAccount) -> Store:
    """Indirection so tests can wrap the real Store's HTTP session (fault injection on the wire)."""
    return accounts.open_store(account)


# --- account status (until accounts.mark_* land; the integrator can switch to them) ---------------


def _mark_ok(account: CalendarAccount, now: datetime) -> None:
    account.status = CalendarAccount.CONNECTED
    account.last_error = None
    account.consecutive_failures = 0
    account.next_sync_after = None
    account.last_synced_at = now
    account.save()


def _mark_needs_reconnect(account: CalendarAccount, message: str) -> None:
    account.status = CalendarAccount.NEEDS_RECONNECT
    account.last_error = message
    account.save()


def _mark_error(account: CalendarAccount, message: str, now: datetime, retry_after: float | None = None) -> None:
    account.status = CalendarAccount.ERROR
    account.last_error = message
    account.consecutive_failures += 1
    wait = retry_after if retry_after else core.backoff_seconds(account.consecutive_failures)
    account.next_sync_after = now + timedelta(seconds=wait)
    account.save()


# --- helpers -----------------------------------------------------------------------------------


def _zone(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass
class Window:
    start: datetime
    end: datetime


def sync_window(now: datetime) -> Window:
    days = int(current_app.config.get("SYNC_HORIZON_DAYS", 180))
    return Window(now - timedelta(days=1), now + timedelta(days=days))


def _own_uids(owner: User) -> set[str]:
    return {f"{u}@slotwise" for (u,) in Appointment.select(Appointment.uuid).where(Appointment.owner == owner).tuples()}


def _write_slots(obj: RemoteObject, cal: RemoteCalendar, owner: User, busy: list[ical.Busy]) -> None:
    BlockedSlot.delete().where(BlockedSlot.remote_object == obj).execute()
    rows = [
        {
            "owner": owner.id,
            "source": BlockedSlot.ICLOUD,
            "remote_calendar": cal.id,
            "remote_object": obj.id,
            "uid": b.uid[:512],
            "recurrence_id": b.recurrence_id,
            "start_utc": b.start,
            "end_utc": b.end,
            "all_day": b.all_day,
            "title": b.title[:1024],
            "created_at": utcnow(),
        }
        for b in busy
    ]
    for i in range(0, len(rows), 200):
        BlockedSlot.insert_many(rows[i : i + 200]).execute()


def forget_calendar(cal: RemoteCalendar) -> None:
    """A calendar no longer read: drop its mirror and token, so choosing it again re-imports it."""
    with database.atomic():
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


def pull_calendar(store: Store, cal: RemoteCalendar, run: SyncRun, window: Window, owner: User) -> None:
    zone = _zone(owner)
    listing = _listing(store, cal, run)
    local = {o.href: o.etag for o in RemoteObject.select().where(RemoteObject.calendar == cal)}
    own_appts = {
        a.remote_href: a
        for a in Appointment.select().where(Appointment.remote_calendar == cal, Appointment.remote_href.is_null(False))
    }
    plan = core.plan_pull(
        local, listing.changed, listing.deleted, full=listing.full,
        own={href: a.remote_etag for href, a in own_appts.items()},
    )
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

    fetched = store.multiget(cal.url, plan.fetch)
    own_uids = _own_uids(owner)
    with database.atomic():
        for href in plan.delete:
            obj = RemoteObject.get_or_none(RemoteObject.calendar == cal, RemoteObject.href == href)
            if obj is not None:
                BlockedSlot.delete().where(BlockedSlot.remote_object == obj).execute()
                obj.delete_instance()
                run.deleted += 1
        for href, (etag, data) in fetched.found.items():
            _store_object(cal, owner, run, window, zone, href, etag or listing.changed.get(href), data, own_uids)
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
        if fetched.missing:
            for href in fetched.missing:
                log.warning("calendar %s: %s was listed but could not be read", cal.id, href)
            run.add_warning(f"{cal.name}: {len(fetched.missing)} event(s) could not be read; tried again next sync.")
        else:
            cal.sync_token = listing.token
        _extend_window(cal, owner, run, window, zone, skip=set(fetched.found))
        cal.synced_until = window.end
        cal.save()


def _store_object(cal: RemoteCalendar, owner: User, run: SyncRun, window: Window, zone: ZoneInfo, href: str,
                  etag: str | None, data: str, own_uids: set[str]) -> None:
    obj = RemoteObject.get_or_none(RemoteObject.calendar == cal, RemoteObject.href == href)
    is_new = obj is None
    if obj is None:
        obj = RemoteObject.create(calendar=cal, href=href, etag=etag)
    obj.etag, obj.data, obj.uid = etag, data, ical.object_uid(data)
    obj.save()
    if obj.uid and obj.uid in own_uids:
        BlockedSlot.delete().where(BlockedSlot.remote_object == obj).execute()
        return  # an appointment's own event: never a Blocked Slot
    try:
        busy = ical.busy_occurrences(data, window.start, window.end, zone)
    except ical.UnparseableObject as exc:
        log.warning("calendar %s: skipped %s: %s", cal.id, href, exc)
        run.skipped += 1
        run.add_warning(f"{cal.name}: skipped an event that could not be read ({href.rsplit('/', 1)[-1]}).")
        return  # rows from an earlier, readable version stay
    _write_slots(obj, cal, owner, busy)
    if is_new:
        run.pulled += 1
    else:
        run.updated += 1


def _extend_window(cal: RemoteCalendar, owner: User, run: SyncRun, window: Window, zone: ZoneInfo,
                   skip: set[str]) -> None:
    """Days passed since the last expansion: re-expand stored objects, no request needed."""
    if cal.synced_until is not None and cal.synced_until.date() >= window.end.date():
        return
    for obj in RemoteObject.select().where(RemoteObject.calendar == cal, RemoteObject.data.is_null(False)):
        if obj.href in skip:
            continue
        try:
            busy = ical.busy_occurrences(obj.data, window.start, window.end, zone)
        except ical.UnparseableObject:
            continue  # already reported when it was fetched
        if obj.uid and obj.uid.endswith("@slotwise"):
            continue
        _write_slots(obj, cal, owner, busy)


# --- push --------------------------------------------------------------------------------------


def _primary(owner: User) -> RemoteCalendar | None:
    return (
        RemoteCalendar.select()
        .join(CalendarAccount)
        .where(CalendarAccount.owner == owner, RemoteCalendar.role == RemoteCalendar.PRIMARY)
        .order_by(RemoteCalendar.id)
        .first()
    )


def _event_text(appt: Appointment, owner: User, now: datetime) -> str:
    contact = appt.contact
    who = f"{contact.name} <{contact.email}>" if contact else ""
    summary = appt.title or (f"Appointment with {contact.name}" if contact else "Appointment")
    description = f"Booked with Slotwise by {who}." if who else "Booked with Slotwise."
    return ical.appointment_ics(
        uid=appt.event_uid, start_utc=appt.start_utc, end_utc=appt.end_utc, zone_name=_zone(owner).key,
        summary=summary, description=description, dtstamp=now,
    )


def _delete_remote(store: Store, appt: Appointment) -> None:
    href, etag = appt.remote_href, appt.remote_etag
    try:
        store.delete_object(href, etag)
    except PreconditionFailed:
        # Edited in iCloud since: Slotwise is authoritative, delete the version that is there now.
        current = store.fetch(href)
        if current is not None:
            store.delete_object(href, current[0])
    if appt.remote_calendar_id:
        RemoteObject.delete().where(RemoteObject.calendar == appt.remote_calendar_id,
                                    RemoteObject.href == href).execute()
    appt.remote_calendar = None
    appt.remote_href = appt.remote_etag = appt.remote_uid = None
    appt.save()


def _write(store: Store, appt: Appointment, primary: RemoteCalendar, owner: User, now: datetime) -> None:
    ics = _event_text(appt, owner, now)
    looked = False
    if appt.remote_href is None:
        appt.remote_calendar = primary
        appt.remote_uid = appt.event_uid
        appt.remote_href = canonical_href(primary.url, f"{appt.event_uid}.ics")
        appt.remote_etag = None
        appt.save()  # the intent is durable before the PUT: a retry knows where to look
    elif appt.remote_etag is None:
        # An earlier PUT may have reached the server without us hearing back: look before writing.
        found = store.fetch(appt.remote_href)
        appt.remote_etag = found[0] if found else None
        looked = True
    href = appt.remote_href
    if appt.remote_etag is None:
        try:
            etag = store.put_new(href, ics)
        except PreconditionFailed:
            found = store.fetch(href)  # it exists after all (an earlier attempt landed): adopt it
            etag = store.put_update(href, ics, found[0]) if found else store.put_new(href, ics)
    else:
        try:
            etag = store.put_update(href, ics, appt.remote_etag)
        except (EtagMismatch, NotFound):
            found = None if looked else store.fetch(href)
            etag = store.put_update(href, ics, found[0]) if found else store.put_new(href, ics)
    appt.remote_etag = etag
    appt.save()
    obj, _ = RemoteObject.get_or_create(calendar=primary, href=href, defaults={"etag": etag})
    obj.etag, obj.uid, obj.data = etag, appt.event_uid, None
    obj.save()


def _store_for(calendar_id: int, account: CalendarAccount, store: Store, extra: dict[int, Store]) -> Store:
    cal = RemoteCalendar.get_by_id(calendar_id)
    if cal.account_id == account.id:
        return store
    if cal.account_id not in extra:
        extra[cal.account_id] = open_store(cal.account)
    return extra[cal.account_id]


def push_appointments(store: Store, account: CalendarAccount, run: SyncRun, now: datetime) -> None:
    owner = account.owner
    primary = _primary(owner)
    states = [Appointment.PUSH_PENDING, Appointment.PUSH_FAILED]
    if primary is not None:
        states.append(Appointment.PUSH_NONE)
    due = Appointment.push_state.in_(states)
    if primary is not None:
        # A Primary Calendar change moves future appointments even when they were in sync.
        due |= (
            (Appointment.status == Appointment.BOOKED)
            & (Appointment.end_utc >= now - timedelta(days=1))
            & (Appointment.remote_calendar.is_null() | (Appointment.remote_calendar != primary))
        )
    extra: dict[int, Store] = {}
    try:
        for appt in Appointment.select().where(Appointment.owner == owner, due):
            here = {c.id for c in account.calendars}
            ours = (primary is not None and primary.account_id == account.id) or appt.remote_calendar_id in here
            if not ours and primary is not None:
                continue  # the account holding its Primary Calendar pushes it
            _push_one(store, account, appt, primary, owner, run, now, extra)
    finally:
        for other in extra.values():
            run.requests += other.requests
            other.close()


def _push_one(store: Store, account: CalendarAccount, appt: Appointment, primary: RemoteCalendar | None,
              owner: User, run: SyncRun, now: datetime, extra: dict[int, Store]) -> None:
    steps = core.plan_push(
        booked=appt.status == Appointment.BOOKED, end_utc=appt.end_utc, now=now,
        primary_id=primary.id if primary else None, remote_calendar_id=appt.remote_calendar_id,
        has_remote_copy=appt.remote_href is not None,
    )
    if steps == [core.MARK_NONE]:
        appt.push_state, appt.push_error = Appointment.PUSH_NONE, None
        appt.save()
        return
    appt.push_attempts += 1
    appt.save()
    try:
        for step in steps:
            if step == core.DELETE_REMOTE:
                _delete_remote(_store_for(appt.remote_calendar_id, account, store, extra), appt)
            elif step == core.WRITE:
                _write(store, appt, primary, owner, now)
    except StoreError as exc:
        appt.push_state, appt.push_error = Appointment.PUSH_FAILED, str(exc)
        appt.save()
        if isinstance(exc, ACCOUNT_FAILURES):
            raise
        run.add_warning(f"The appointment on {appt.start_utc:%Y-%m-%d %H:%M} UTC could not be written: {exc}")
        return
    appt.push_state, appt.push_error, appt.push_attempts = Appointment.PUSH_SYNCED, None, 0
    appt.save()
    if steps != [core.KEEP]:
        run.pushed += 1


# --- one run -----------------------------------------------------------------------------------


def sync_account(account_id: int, *, pull: bool = True, push: bool = True) -> SyncRun | None:
    """Sync one account now (the caller holds its lock). None when the account cannot be synced."""
    account = CalendarAccount.get_or_none(CalendarAccount.id == account_id)
    if account is None or account.status == CalendarAccount.NEEDS_RECONNECT or not account.password_encrypted:
        return None
    now = utcnow()
    run = SyncRun.create(account=account, started_at=now)
    store = open_store(account)
    try:
        calendars = list(account.calendars)
        for cal in calendars:
            if not cal.is_read and (cal.sync_token or cal.synced_until or cal.objects.exists()):
                forget_calendar(cal)
        if pull:
            window = sync_window(now)
            for cal in calendars:
                if cal.is_read:
                    try:
                        pull_calendar(store, cal, run, window, account.owner)
                    except NotFound:
                        run.add_warning(f"{cal.name}: this calendar no longer exists in iCloud; "
                                        "choose your calendars again.")
        if push:
            push_appointments(store, account, run, now)
    except BadCredentials as exc:
        run.error = f"{exc} Reconnect the account with a new app-specific password."
        _mark_needs_reconnect(account, run.error)
    except RateLimited as exc:
        run.error = str(exc)
        _mark_error(account, run.error, now, retry_after=exc.retry_after)
    except StoreError as exc:
        run.error = str(exc)
        _mark_error(account, run.error, now)
    except Exception as exc:  # a bug must not kill the scheduler thread; it is logged in full
        log.exception("sync of account %s failed", account.id)
        run.error = f"The sync stopped on an unexpected error ({type(exc).__name__}); it will be tried again."
        _mark_error(account, run.error, now)
    else:
        _mark_ok(account, utcnow())
    finally:
        run.requests += store.requests
        store.close()
        run.finished_at = utcnow()
        run.save()
    return run
