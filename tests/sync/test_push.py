"""Push against the real Radicale rig: appointments are written to the Primary Calendar, exactly once."""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from tests.conftest import APP_PASSWORD
from tests.sync.conftest import ICLOUD_USER, at, change, reload, vevent
from webapp.models import Appointment, BlockedSlot, CalendarAccount, RemoteCalendar, SyncRun

BERLIN = ZoneInfo("Europe/Berlin")


def only_event(rig, calendar_id: str = "home"):
    objects = rig.objects(calendar_id)
    assert len(objects) == 1, objects
    [(href, text)] = objects.items()
    [event] = Calendar.from_ical(text).walk("VEVENT")
    return href, event


def test_booking_writes_the_event_with_owner_zone_uid_and_no_attendee(rig, book):
    appt = book(at(2, 13))
    assert appt.push_state == Appointment.PUSH_SYNCED and appt.remote_etag
    href, event = only_event(rig)
    assert href.endswith(".ics") and str(event["UID"]) == appt.event_uid
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.start == at(2, 13).replace(tzinfo=ZoneInfo("UTC")).astimezone(BERLIN)
    assert event.end - event.start == timedelta(minutes=30)
    assert "ATTENDEE" not in event and "bo@example.org" in str(event["DESCRIPTION"])
    assert "Bo Booker" in str(event["SUMMARY"])
    assert rig.objects("work") == {}


def test_reschedule_updates_the_same_event(rig, book):
    appt = book(at(2, 13))
    appt = change(rig, appt, start_utc=at(3, 8), end_utc=at(3, 9))
    assert appt.push_state == Appointment.PUSH_SYNCED
    _, event = only_event(rig)
    assert event.start == at(3, 8).replace(tzinfo=ZoneInfo("UTC")) and event.end - event.start == timedelta(hours=1)


def test_cancel_removes_the_event(rig, book):
    appt = book(at(2, 13))
    appt = change(rig, appt, status=Appointment.CANCELLED)
    assert rig.objects("home") == {} and appt.push_state == Appointment.PUSH_SYNCED and appt.remote_href is None


def test_pushed_event_never_shows_up_as_a_blocked_slot(rig, book):
    rig.put("home", "other.ics", vevent("other", at(1, 9)))
    book(at(2, 13))
    rig.sync()
    with rig.app.app_context():  # also when every object is compared again after a lost token
        RemoteCalendar.update(sync_token=None).execute()
    rig.sync()
    assert [s[0] for s in rig.slots()] == [at(1, 9)]


def test_manual_blocked_slot_never_reaches_the_server(rig, wire):
    with rig.app.app_context():
        BlockedSlot.create(owner=rig.owner.id, source=BlockedSlot.MANUAL, start_utc=at(1, 9), end_utc=at(1, 10))
    rig.sync()
    assert rig.objects("home") == {} and rig.objects("work") == {}
    assert set(wire.sent) == {"REPORT"}  # read only: nothing was written


def test_lost_reply_after_the_put_reached_the_server_does_not_duplicate(rig, book, wire):
    wire.fail_after.append("PUT")
    appt = book(at(2, 13))
    assert appt.push_state == Appointment.PUSH_FAILED and appt.push_attempts == 1
    assert len(rig.objects("home")) == 1  # it landed although we never heard back
    wire.sent.clear()
    appt = change(rig, appt, title="Call")  # the retry pushes without a pull first
    assert appt.push_state == Appointment.PUSH_SYNCED
    assert wire.sent[:2] == ["GET", "PUT"] and wire.sent.count("PUT") == 1  # looked up by href first
    _, event = only_event(rig)
    assert str(event["UID"]) == appt.event_uid and str(event["SUMMARY"]) == "Call"


def test_lost_reply_is_adopted_by_the_next_sync_without_a_duplicate_or_a_restore(rig, book, wire):
    wire.fail_after.append("PUT")
    appt = book(at(2, 13))
    run = rig.sync()
    assert run.pushed == 1 and reload(rig, appt).push_state == Appointment.PUSH_SYNCED
    assert "iCloud" not in run.warnings
    _, event = only_event(rig)
    assert str(event["UID"]) == appt.event_uid
    assert rig.slots() == []


def test_refused_request_before_the_put_is_retried_by_the_next_sync(rig, book, wire):
    wire.fail_before.append("PUT")
    appt = book(at(2, 13))
    assert appt.push_state == Appointment.PUSH_FAILED and "could not be reached" in appt.push_error
    assert rig.objects("home") == {}
    rig.sync()
    assert reload(rig, appt).push_state == Appointment.PUSH_SYNCED
    only_event(rig)


def test_event_edited_or_deleted_in_icloud_is_restored_by_the_next_sync(rig, book):
    appt = book(at(2, 13))
    href, _ = only_event(rig)
    filename = href.rsplit("/", 1)[-1].replace("%40", "@")
    rig.put("home", filename, vevent(appt.event_uid, at(4, 4), summary="Edited in iCloud"))
    run = rig.sync()
    assert "changed in iCloud" in run.warnings
    _, event = only_event(rig)
    assert event.start == at(2, 13).replace(tzinfo=ZoneInfo("UTC"))
    rig.delete("home", filename)
    run = rig.sync()
    assert "deleted in iCloud" in run.warnings
    _, event = only_event(rig)
    assert str(event["UID"]) == appt.event_uid and rig.slots() == []


def test_primary_calendar_change_moves_the_appointment(rig, book):
    appt = book(at(2, 13))
    with rig.app.app_context():
        RemoteCalendar.update(role="conflict").where(RemoteCalendar.url == rig.home_url).execute()
        RemoteCalendar.update(role="primary").where(RemoteCalendar.url == rig.work_url).execute()
    run = rig.sync()
    assert run.error is None and run.pushed == 1
    assert rig.objects("home") == {}
    _, event = only_event(rig, "work")
    assert str(event["UID"]) == appt.event_uid
    assert reload(rig, appt).remote_calendar_id == rig.calendar(rig.work_url).id
    assert rig.slots() == []


def test_without_primary_calendar_nothing_is_written(rig, book, caldav_server):
    with rig.app.app_context():
        RemoteCalendar.update(role="conflict").where(RemoteCalendar.url == rig.home_url).execute()
    caldav_server.reset_counts()
    appt = book(at(2, 13))
    assert appt.push_state == Appointment.PUSH_NONE
    assert rig.objects("home") == {} and rig.objects("work") == {}
    assert caldav_server.request_count == 0


def test_revoked_password_sets_needs_reconnect_and_stops_syncing(rig, caldav_server):
    caldav_server.add_user(ICLOUD_USER, "wxyz-wxyz-wxyz-wxyz")  # the app-specific password was revoked
    run = rig.sync()
    assert "app-specific password" in run.error
    with rig.app.app_context():
        account = CalendarAccount.get_by_id(rig.account_id)
        assert account.status == CalendarAccount.NEEDS_RECONNECT
        assert APP_PASSWORD not in (account.last_error or "")
    caldav_server.reset_counts()
    assert rig.sync() is None and caldav_server.request_count == 0
    with rig.app.app_context():
        assert SyncRun.select().count() == 1


def test_other_failures_back_off_exponentially(rig, caldav_server):
    caldav_server.stop()
    try:
        first, second = rig.sync(), rig.sync()
    finally:
        caldav_server.start()
    assert first.error and second.error
    with rig.app.app_context():
        account = CalendarAccount.get_by_id(rig.account_id)
        assert account.consecutive_failures == 2 and account.status == CalendarAccount.ERROR
        wait = (account.next_sync_after - second.started_at).total_seconds()
        assert 110 <= wait <= 130
    run = rig.sync()
    with rig.app.app_context():
        account = CalendarAccount.get_by_id(rig.account_id)
        assert run.error is None and account.consecutive_failures == 0 and account.next_sync_after is None
        assert account.status == CalendarAccount.CONNECTED and account.last_synced_at is not None


def test_sync_run_records_counts_requests_and_duration(rig, book):
    rig.put("work", "a.ics", vevent("a", at(1, 9)))
    book(at(2, 13))
    run = rig.sync()
    assert run.pulled == 1 and run.requests >= 2 and run.finished_at is not None
    assert run.duration_seconds is not None and run.duration_seconds >= 0
    assert isinstance(run.started_at, datetime)


def test_sync_after_a_push_costs_one_request_per_calendar(rig, book, caldav_server):
    rig.put("work", "a.ics", vevent("a", at(1, 9)))
    rig.sync()
    book(at(2, 13))
    book(at(3, 13))
    for _ in range(2):  # the first sees our own writes (no fetch needed), the second sees nothing new
        caldav_server.reset_counts()
        run = rig.sync()
        assert caldav_server.request_count == 2 and run.pushed == 0
    assert [s[0] for s in rig.slots()] == [at(1, 9)]


def test_copy_of_an_appointment_event_in_another_calendar_is_not_a_blocked_slot(rig, book):
    appt = book(at(2, 13))
    rig.put("work", "copy.ics", vevent(appt.event_uid, at(2, 13)))
    rig.put("work", "stranger.ics", vevent("0000@slotwise", at(3, 9)))  # no such appointment: a real event
    rig.sync()
    assert [s[0] for s in rig.slots()] == [at(3, 9)]


def test_event_already_at_the_appointment_href_is_adopted_not_duplicated(rig, book, wire):
    from webapp.models import Appointment as A

    with rig.app.app_context():
        appt = A.create(owner=rig.owner.id, start_utc=at(2, 13), end_utc=at(2, 14), push_state=A.PUSH_NONE)
    # an earlier attempt landed, but the database never learnt of it
    rig.put("home", f"{appt.event_uid}.ics", vevent(appt.event_uid, at(9, 9)))
    wire.sent.clear()
    appt = change(rig, appt, title="Intro call")
    assert appt.push_state == Appointment.PUSH_SYNCED
    # If-None-Match refused (412) → read its etag → If-Match (iCloud then needs a PROPFIND for the new etag)
    assert wire.sent[:3] == ["PUT", "GET", "PUT"] and wire.sent.count("PUT") == 2
    _, event = only_event(rig)
    assert str(event["SUMMARY"]) == "Intro call" and event.start == at(2, 13).replace(tzinfo=ZoneInfo("UTC"))


def test_push_runs_in_the_background_without_blocking_the_booking(rig, book):
    rig.app.config["SYNC_INLINE"] = False
    appt = book(at(2, 13))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and reload(rig, appt).push_state != Appointment.PUSH_SYNCED:
        time.sleep(0.05)
    assert reload(rig, appt).push_state == Appointment.PUSH_SYNCED
    only_event(rig)


def test_primary_calendar_moved_to_another_account_of_the_owner_moves_the_appointment(
        rig, book, caldav_server, make_account):
    second = "ada.work@icloud.example"
    caldav_server.add_user(second, APP_PASSWORD)
    office = caldav_server.make_calendar(second, "office", "Office")
    other = make_account(rig.owner, second, calendars={office: ("Office", "conflict")})
    appt = book(at(2, 13))
    with rig.app.app_context():
        RemoteCalendar.update(role="conflict").where(RemoteCalendar.url == rig.home_url).execute()
        RemoteCalendar.update(role="primary").where(RemoteCalendar.url == office).execute()
    run = rig.sync()  # the first account no longer holds the Primary Calendar: it leaves the move alone
    assert run.pushed == 0 and len(rig.objects("home")) == 1
    from webapp.sync import sync_account_now

    with rig.app.app_context():
        run = sync_account_now(other.id)
    assert run.error is None and run.pushed == 1
    assert rig.objects("home") == {}
    [text] = caldav_server.objects(second, "office").values()
    assert appt.event_uid in text
    assert rig.slots() == []


def test_old_copy_in_an_account_with_a_revoked_password_blames_only_that_appointment(
        rig, book, caldav_server, make_account):
    second = "ada.work@icloud.example"
    caldav_server.add_user(second, APP_PASSWORD)
    office = caldav_server.make_calendar(second, "office", "Office")
    other = make_account(rig.owner, second, calendars={office: ("Office", "primary")})
    with rig.app.app_context():
        RemoteCalendar.update(role="conflict").where(RemoteCalendar.id == rig.calendar(office).id).execute()
    appt = book(at(2, 13))  # written to the first account's Primary Calendar
    with rig.app.app_context():
        RemoteCalendar.update(role="conflict").where(RemoteCalendar.url == rig.home_url).execute()
        RemoteCalendar.update(role="primary").where(RemoteCalendar.url == office).execute()
    caldav_server.add_user(ICLOUD_USER, "wxyz-wxyz-wxyz-wxyz")  # the first account's password was revoked
    from webapp.sync import sync_account_now

    with rig.app.app_context():
        run = sync_account_now(other.id)
        assert run.error is None and "another iCloud account" in run.warnings
        assert CalendarAccount.get_by_id(other.id).status == CalendarAccount.CONNECTED
    appt = reload(rig, appt)
    assert appt.push_state == Appointment.PUSH_FAILED and "another iCloud account" in appt.push_error
    assert caldav_server.objects(second, "office") == {}  # never two copies of one appointment
