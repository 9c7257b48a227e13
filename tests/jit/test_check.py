"""The check before a booking, on both test servers: a time taken in iCloud a second ago is refused (409),
an unchanged account costs one request per read calendar, a slow server lets the booking go on from the
mirror, and the check shares the periodic sync's per-account lock."""
from __future__ import annotations

from datetime import timedelta

import pytest

from webapp import appointments as svc
from webapp.models import Appointment, CalendarAccount, RemoteCalendar, SyncRun, utcnow
from webapp.sync import account_lock
from webapp.sync.jit import accounts_to_check, check_before_booking

from .conftest import at, csrf_of, naive_utc, wait_for


def _book(path: str, calendars, client, owner_client, api, day, hour: int = 10):
    """Book 10:00 on `day` for 30 minutes the way `path` does; returns (status, the words shown)."""
    start = at(day, hour)
    if path == "public":
        slug = calendars.owner.booking_slug
        response = client.post(f"/book/{slug}", headers={"HX-Request": "true"},
                               data={"start": start.isoformat(), "tz": "Europe/Berlin", "name": "Grace",
                                     "email": "grace@example.com", "csrf_token": csrf_of(client, slug)})
        return response.status_code, response.get_data(as_text=True)
    if path == "owner":
        response = owner_client.post("/calendar/appointments", headers=owner_client.hx,
                                     data={"date": day.isoformat(), "start": f"{hour:02d}:00", "duration": "30",
                                           "title": "", "name": "", "email": ""})
        return response.status_code, response.get_data(as_text=True)
    response = api.post("/api/v1/appointments", json={"start": start.isoformat(),
                                                      "end": at(day, hour, 30).isoformat(), "title": "Call"})
    return response.status_code, response.get_json()["message"] if response.status_code >= 400 else ""


@pytest.mark.parametrize("path", ["public", "owner", "api"])
def test_an_event_put_in_icloud_a_second_ago_refuses_the_booking(path, calendars, client, owner_client, api, day):
    calendars.put_busy(day, 10)  # straight to the server, after the last sync
    assert calendars.blocked() == []  # the mirror does not know it yet
    syncs = len(calendars.runs(SyncRun.SYNC))
    status, words = _book(path, calendars, client, owner_client, api, day)
    assert status == 409 and "This time was just taken" in words
    assert calendars.blocked() == [naive_utc(at(day, 10))]
    assert len(calendars.runs(SyncRun.SYNC)) == syncs  # no sync ran in between: the check found it
    [check] = calendars.runs(SyncRun.CHECK)
    assert check.pulled == 1 and check.error is None and check.finished_at is not None
    with calendars.app.app_context():
        assert Appointment.select().count() == 0
    status, _ = _book(path, calendars, client, owner_client, api, day, hour=14)
    assert status in (200, 201)  # a free time still books, with a check of its own


def test_reschedules_by_owner_and_booker_are_checked_too(app, calendars, day):
    with app.app_context():
        appt = svc.create_appointment(calendars.owner, at(day, 9), at(day, 9, 30), "", "Grace", "g@example.com",
                                      public=True)
    calendars.put_busy(day, 11, name="late")
    with app.app_context():
        with pytest.raises(svc.SlotTaken, match="just taken"):
            svc.reschedule(Appointment.get_by_id(appt.id), at(day, 11), at(day, 11, 30))
        calendars.put_busy(day, 13, name="later")
        with pytest.raises(svc.SlotTaken, match="just taken"):
            svc.reschedule(Appointment.get_by_id(appt.id), at(day, 13), at(day, 13, 30), actor="booker")
    assert len(calendars.runs(SyncRun.CHECK)) == 3


def test_a_check_of_an_unchanged_account_is_one_request_per_read_calendar(app, calendars):
    calendars.server.reset_counts()
    with app.app_context():
        check = check_before_booking([calendars.owner])
    [run] = check.runs
    assert calendars.server.request_count == 2  # Home and Work; Other is not read
    assert run.requests == 2 and run.kind == SyncRun.CHECK and check.late == []
    with app.app_context():
        assert [c.last_requests for c in RemoteCalendar.select().where(RemoteCalendar.role != "none")] == [1, 1]


def test_a_change_costs_one_multiget_more(app, calendars, day):
    calendars.put_busy(day, 10)
    calendars.server.reset_counts()
    with app.app_context():
        [run] = check_before_booking([calendars.owner]).runs
    assert calendars.server.request_count == 3 and run.requests == 3 and run.pulled == 1


def test_a_server_slower_than_the_budget_lets_the_booking_go_on_from_the_mirror(app, calendars, api, day):
    """The server's answer is held back until the booking is in the database: it cannot have waited."""
    held = []

    def slow(send, method, url, *args, **kwargs):
        if method == "REPORT" and not held:
            held.append(url)
            wait_for(lambda: Appointment.select().exists())
        return send(method, url, *args, **kwargs)

    app.config["CALDAV_REQUEST_HOOK"] = slow
    app.config["JIT_CHECK_BUDGET_MS"] = 100
    calendars.put_busy(day, 10)
    response = api.post("/api/v1/appointments", json={"start": at(day, 10).isoformat(),
                                                      "end": at(day, 10, 30).isoformat()})
    assert response.status_code == 201  # from the mirror, which did not know the event yet
    [check] = calendars.runs(SyncRun.CHECK)
    assert "did not answer within the booking's time budget of 100 ms" in check.warnings
    wait_for(lambda: SyncRun.get_by_id(check.id).finished_at is not None)
    [check] = calendars.runs(SyncRun.CHECK)
    assert check.error is None and check.pulled == 1 and "time budget" in check.warnings  # it still applied
    assert naive_utc(at(day, 10)) in calendars.blocked()


def test_the_check_waits_for_the_sync_lock_of_the_account(app, calendars):
    """While a periodic sync holds the account (its lock), a check sends nothing and the booking goes on."""
    calendars.server.reset_counts()
    with app.app_context():
        with account_lock(calendars.account_id):
            check = check_before_booking([calendars.owner], budget_ms=50)
            assert [r.id for r in check.late] == [r.id for r in check.runs]
            assert calendars.server.request_count == 0
        [run] = check.runs
        wait_for(lambda: SyncRun.get_by_id(run.id).finished_at is not None)
    assert calendars.server.request_count == 2 and SyncRun.get_by_id(run.id).requests == 2


def test_accounts_needing_reconnect_backing_off_and_feeds_are_left_out(app, calendars, owner, make_account, api, day):
    with app.app_context():
        feed = CalendarAccount.create(owner=owner, provider="subscription", email="Holidays")
        RemoteCalendar.create(account=feed, url="https://example.org/holidays.ics", name="Holidays", role="conflict")
        assert [a.id for a in accounts_to_check([owner])] == [calendars.account_id]
        CalendarAccount.update(next_sync_after=utcnow() + timedelta(minutes=5)).execute()  # Retry-After
        assert accounts_to_check([owner]) == []
        CalendarAccount.update(next_sync_after=utcnow() - timedelta(seconds=1)).execute()
        assert [a.id for a in accounts_to_check([owner])] == [calendars.account_id]
        CalendarAccount.update(status=CalendarAccount.NEEDS_RECONNECT).where(
            CalendarAccount.id == calendars.account_id).execute()
        assert accounts_to_check([owner]) == []
    calendars.server.reset_counts()
    response = api.post("/api/v1/appointments", json={"start": at(day, 10).isoformat(),
                                                      "end": at(day, 10, 30).isoformat()})
    assert response.status_code == 201 and calendars.runs(SyncRun.CHECK) == []
    assert calendars.server.request_count == 0


def test_a_refused_password_marks_the_account_and_the_booking_goes_on(app, calendars, api, day):
    calendars.server.add_user("ada@icloud.example", "a-new-password-only-apple-knows")  # the old one is revoked
    response = api.post("/api/v1/appointments", json={"start": at(day, 10).isoformat(),
                                                      "end": at(day, 10, 30).isoformat()})
    assert response.status_code == 201
    [check] = calendars.runs(SyncRun.CHECK)
    assert "Reconnect" in check.error
    with app.app_context():
        assert CalendarAccount.get_by_id(calendars.account_id).status == CalendarAccount.NEEDS_RECONNECT


def test_a_server_that_fails_never_fails_the_booking(app, calendars, api, day):
    def down(send, method, url, *args, **kwargs):
        if method == "REPORT":
            import niquests

            raise niquests.exceptions.ConnectionError("injected: network down")
        return send(method, url, *args, **kwargs)

    app.config["CALDAV_REQUEST_HOOK"] = down
    response = api.post("/api/v1/appointments", json={"start": at(day, 10).isoformat(),
                                                      "end": at(day, 10, 30).isoformat()})
    assert response.status_code == 201
    [check] = calendars.runs(SyncRun.CHECK)
    assert "could not be reached" in check.error
    with app.app_context():
        [home] = RemoteCalendar.select().where(RemoteCalendar.name == "Home")
        assert "could not be reached" in home.last_error
