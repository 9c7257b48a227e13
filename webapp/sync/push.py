"""Push: write appointments to the owner's Primary Calendar, move them when it changes, delete cancelled ones.

Slotwise is authoritative for its own events: an edit in iCloud is overwritten, a copy deleted there is
written again. The steps for each appointment come from the pure plan (plan.plan_push).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from ..caldav_store import (
    BadCredentials,
    EtagMismatch,
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
from ..calendars import ical
from ..models import Appointment, CalendarAccount, RemoteCalendar, RemoteObject, SyncRun, User
from ..times import zone_of
from . import plan as core

log = logging.getLogger(__name__)

# Failures that concern the whole account: stop this run, keep the appointment in the outbox.
ACCOUNT_FAILURES = (BadCredentials, RateLimited, Unreachable, ServerError, MalformedResponse)

OpenStore = Callable[[CalendarAccount], Store]



def _event_text(appt: Appointment, owner: User, now: datetime) -> str:
    contact = appt.contact
    who = f"{contact.name} <{contact.email}>" if contact else ""
    summary = appt.title or (f"Appointment with {contact.name}" if contact else "Appointment")
    description = f"Booked with Slotwise by {who}." if who else "Booked with Slotwise."
    return ical.appointment_ics(
        uid=appt.event_uid, start_utc=appt.start_utc, end_utc=appt.end_utc, zone_name=zone_of(owner).key,
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


def _store_for(calendar_id: int, account: CalendarAccount, store: Store, extra: dict[int, Store],
               open_other: OpenStore) -> Store:
    cal = RemoteCalendar.get_by_id(calendar_id)
    if cal.account_id == account.id:
        return store
    if cal.account_id not in extra:
        extra[cal.account_id] = open_other(cal.account)
    return extra[cal.account_id]


def _forget_lost_copy(appt: Appointment, run: SyncRun, primary: RemoteCalendar | None) -> None:
    """The calendar that held the appointment's copy left the account (deleted in iCloud, or its account
    disconnected): nothing can reach that copy any more, so it is forgotten and written anew."""
    again = " It is written to the Primary Calendar again." if primary is not None else ""
    run.add_warning(f"The appointment on {appt.start_utc:%Y-%m-%d %H:%M} UTC had its copy in a calendar that is "
                    f"no longer in the iCloud account; that copy was lost.{again}")
    log.info("appointment %s: its copy %s was in a calendar that is gone", appt.id, appt.remote_href)
    appt.remote_href = appt.remote_etag = appt.remote_uid = None
    appt.save()


def push_appointments(store: Store, account: CalendarAccount, run: SyncRun, now: datetime, *,
                      open_other: OpenStore) -> None:
    """Write, move or delete every appointment of the owner this account handles; `open_other` opens
    another account of the owner (an old copy to delete there)."""
    owner = account.owner
    primary = RemoteCalendar.primary_of(owner)
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
    here = {c.id for c in account.calendars}
    extra: dict[int, Store] = {}
    try:
        for appt in Appointment.select().where(Appointment.owner == owner, due):
            # Exactly one account handles an appointment, so two accounts' syncs never race on it: the
            # one holding the Primary Calendar (it opens the other account to delete an old copy), or,
            # without a Primary Calendar, the one holding the remote copy.
            if primary is not None:
                ours = primary.account_id == account.id
            else:
                ours = appt.remote_calendar_id is None or appt.remote_calendar_id in here
            if not ours:
                continue
            _push_one(store, account, appt, primary, owner, run, now, extra, open_other)
    finally:
        for other in extra.values():
            run.requests += other.requests
            other.close()


def _push_one(store: Store, account: CalendarAccount, appt: Appointment, primary: RemoteCalendar | None,
              owner: User, run: SyncRun, now: datetime, extra: dict[int, Store], open_other: OpenStore) -> None:
    if appt.remote_href is not None and appt.remote_calendar_id is None:
        _forget_lost_copy(appt, run, primary)
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
                target = _store_for(appt.remote_calendar_id, account, store, extra, open_other)
                try:
                    _delete_remote(target, appt)
                except ACCOUNT_FAILURES as exc:
                    if target is store:
                        raise
                    # The other account's trouble is not this account's: keep it in the outbox.
                    raise StoreError(f"The old copy is in another iCloud account that failed: {exc}") from None
            elif step == core.WRITE:
                _write(_store_for(primary.id, account, store, extra, open_other), appt, primary, owner, now)
    except StoreError as exc:
        appt.push_state, appt.push_error = Appointment.PUSH_FAILED, str(exc)
        appt.save()
        if isinstance(exc, ACCOUNT_FAILURES):
            raise
        run.add_warning(f"The appointment on {appt.start_utc:%Y-%m-%d %H:%M} UTC could not be written: {exc}")
        return
    appt.push_state, appt.push_error, appt.push_attempts = Appointment.PUSH_SYNCED, None, 0
    appt.save()
    if any(step in (core.DELETE_REMOTE, core.WRITE) for step in steps):
        run.pushed += 1
