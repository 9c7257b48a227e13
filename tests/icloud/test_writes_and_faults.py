"""Writes, the one-UID rule and injected faults against the iCloud shape."""
from __future__ import annotations

import re

import caldav
import pytest
from caldav.lib import error as caldav_error

from tests.conftest import APP_PASSWORD
from tests.icloud.conftest import ADA
from tests.icloud.test_discovery import raw
from webapp.caldav_store import (EtagMismatch, Forbidden, MalformedResponse, RateLimited, Store,
                                           Unreachable, translate_errors)

WORK, HOME = "2A1F0C3E-WORK", "7B9D4E10-HOME"
EVENT = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Slotwise tests//EN\r
BEGIN:VEVENT\r
UID:{uid}\r
DTSTAMP:20261101T090000Z\r
DTSTART:20261201T100000Z\r
DTEND:20261201T110000Z\r
SUMMARY:{summary}\r
END:VEVENT\r
END:VCALENDAR\r
"""


def put(front, calendar_id: str, name: str, uid: str, summary: str = "Call", **headers: str):
    url = front.calendar_url(ADA, calendar_id) + name
    return raw(url, "PUT", EVENT.format(uid=uid, summary=summary).encode(),
               Content_Type="text/calendar; charset=utf-8", **headers)


def test_create_is_201_with_etag_and_empty_body_update_and_delete_are_204(ada):
    status, headers, body = put(ada, WORK, "call.ics", "call@test")
    assert (status, body) == (201, b"") and re.fullmatch(r'"[0-9a-z]{8}"', headers["ETag"])
    status, _, body = put(ada, WORK, "call.ics", "call@test", "Moved call", If_Match=headers["ETag"])
    assert (status, body) == (204, b"")
    url = ada.calendar_url(ADA, WORK) + "call.ics"
    status, got, data = raw(url, "GET")
    assert status == 200 and got["Content-Type"] == "text/calendar; charset=UTF-8" and b"Moved call" in data
    assert raw(url, "DELETE", If_Match=got["ETag"])[:3:2] == (204, b"")
    assert ada.objects(ADA, WORK) == {}


def test_a_stale_if_match_is_412(ada):
    _, first, _ = put(ada, WORK, "call.ics", "call@test")
    put(ada, WORK, "call.ics", "call@test", "Changed elsewhere", If_Match=first["ETag"])
    assert put(ada, WORK, "call.ics", "call@test", "Mine", If_Match=first["ETag"])[0] == 412
    assert raw(ada.calendar_url(ADA, WORK) + "call.ics", "DELETE", If_Match=first["ETag"])[0] == 412


def test_if_match_star_holds_backwards(ada):
    assert put(ada, WORK, "new.ics", "new@test", If_Match="*")[0] == 201  # creates a missing object
    assert put(ada, WORK, "new.ics", "new@test", "Again", If_Match="*")[0] == 412  # refuses an existing one


def test_stale_etag_through_caldav_is_etag_mismatch(ada):
    with Store(ada.url, ADA, APP_PASSWORD, timeout=5, allowed_hosts=ada.allowed_hosts) as store:
        cal = store.calendar(ada.calendar_url(ADA, WORK))
        event = cal.add_event(EVENT.format(uid="call@test", summary="Call"), no_overwrite=True)
        ada.put_event(ADA, WORK, str(event.url).rsplit("/", 1)[-1], EVENT.format(uid="call@test", summary="Phone"))
        event.icalendar_component["SUMMARY"] = "Mine"
        with pytest.raises(EtagMismatch), translate_errors():
            event.save(increase_seqno=False)
    assert "Phone" in "".join(ada.objects(ADA, WORK).values())


def test_one_uid_lives_in_one_calendar_of_the_account(ada):
    assert put(ada, WORK, "call.ics", "call@test")[0] == 201
    assert put(ada, HOME, "call.ics", "call@test")[0] == 403
    with Store(ada.url, ADA, APP_PASSWORD, timeout=5, allowed_hosts=ada.allowed_hosts) as store:
        home = store.calendar(ada.calendar_url(ADA, HOME))
        with pytest.raises(caldav_error.AuthorizationError):
            home.add_event(EVENT.format(uid="call@test", summary="Call"), no_overwrite=True)
        with pytest.raises(Forbidden) as caught, translate_errors():
            home.add_event(EVENT.format(uid="call@test", summary="Call"), no_overwrite=True)
    assert caught.value.status == 403
    # moving works when the old copy goes first
    assert raw(ada.calendar_url(ADA, WORK) + "call.ics", "DELETE")[0] == 204
    assert put(ada, HOME, "call.ics", "call@test")[0] == 201


def test_injected_503_with_retry_after_is_rate_limited(ada):
    ada.fail_next(method="PROPFIND", status=503, retry_after=120)
    with Store(ada.url, ADA, APP_PASSWORD, timeout=5, allowed_hosts=ada.allowed_hosts) as store:
        with pytest.raises(RateLimited) as caught:
            store.list_calendars()
        assert caught.value.retry_after == 120
        assert [c.name for c in store.list_calendars()] != []  # the fault was used up


def test_injected_truncated_body_is_malformed_not_a_crash(ada):
    with Store(ada.url, ADA, APP_PASSWORD, timeout=5, allowed_hosts=ada.allowed_hosts) as store:
        store.home_url()
        ada.truncate_next(method="PROPFIND", path_contains="/calendars/")
        with pytest.raises(MalformedResponse):
            store.list_calendars()


def test_injected_delay_past_the_timeout_is_unreachable(ada):
    ada.delay_next(2.0, method="PROPFIND")
    with Store(ada.url, ADA, APP_PASSWORD, timeout=0.5, allowed_hosts=ada.allowed_hosts) as store, pytest.raises(Unreachable):
        store.home_url()


def test_faults_match_only_their_method_and_path(ada):
    ada.fail_next(method="REPORT", status=500, retry_after=None)
    with Store(ada.url, ADA, APP_PASSWORD, timeout=5, allowed_hosts=ada.allowed_hosts) as store:
        assert len(store.list_calendars()) == 2
    assert len(ada.faults) == 1


def test_caldav_reads_events_back_through_the_front(ada):
    ada.put_event(ADA, WORK, "dentist.ics", EVENT.format(uid="dentist@test", summary="Dentist"))
    with caldav.DAVClient(url=ada.url, username=ADA, password=APP_PASSWORD, auth_type="basic") as client:
        calendars = {c.get_display_name(): c for c in client.get_principal().get_calendars()}
        assert {"Work", "Home"} <= set(calendars)
        events = calendars["Work"].search(event=True, post_filter=False)
        assert [e.icalendar_component["SUMMARY"] for e in events] == ["Dentist"]
