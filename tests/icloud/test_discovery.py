"""Discovery and listing against the iCloud shape: partition host, extra collections, 400s, 401s."""
from __future__ import annotations

import base64
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from lxml import etree

from tests.conftest import APP_PASSWORD
from tests.icloud.conftest import ADA
from webapp.caldav_store import BadCredentials, Store

LISTING = b"""<?xml version="1.0" encoding="utf-8"?>
<propfind xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:I="http://apple.com/ns/ical/">
<prop><resourcetype/><displayname/><C:supported-calendar-component-set/><I:calendar-color/>
<C:calendar-description/></prop></propfind>"""


def raw(url: str, method: str, body: bytes = b"", password: str = APP_PASSWORD, **headers: str):
    """One request to the front as Ada; returns (status, headers, body)."""
    request = urllib.request.Request(url, data=body or None, method=method)
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{ADA}:{password}".encode()).decode())
    for key, value in headers.items():
        request.add_header(key.replace("_", "-"), value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def test_calendar_home_is_an_absolute_url_on_the_partition_host(ada):
    with Store(ada.url, ADA, APP_PASSWORD, timeout=5, allowed_hosts=ada.allowed_hosts) as store:
        home = store.home_url()
    assert home == ada.home_url(ADA)
    assert urlsplit(home).port == urlsplit(ada.partition_origin).port != urlsplit(ada.url).port
    assert urlsplit(home).path.endswith("/calendars/") and urlsplit(home).path.split("/")[1].isdigit()


def test_list_calendars_gives_only_event_calendars_with_rrggbb_colours(ada):
    with Store(ada.url, ADA, APP_PASSWORD, timeout=5, allowed_hosts=ada.allowed_hosts) as store:
        calendars = store.list_calendars()
    assert sorted((c.name, c.color) for c in calendars) == [("Home", "#1BADF8"), ("Work", "#FF2968")]
    assert sorted(c.url for c in calendars) == sorted(
        [ada.calendar_url(ADA, "2A1F0C3E-WORK"), ada.calendar_url(ADA, "7B9D4E10-HOME")])


def test_home_listing_has_icloud_extra_collections_and_shape(ada):
    status, _, body = raw(ada.home_url(ADA), "PROPFIND", LISTING, Depth="1")
    assert status == 207
    text = body.decode()
    tree = etree.fromstring(body)
    ns = {"d": "DAV:", "c": "urn:ietf:params:xml:ns:caldav", "i": "http://apple.com/ns/ical/"}
    hrefs = {r.findtext("d:href", namespaces=ns).rsplit("/", 2)[-2]: r for r in tree.findall("d:response", ns)}
    assert {"calendars", "inbox", "outbox", "notification", "2A1F0C3E-WORK", "7B9D4E10-HOME"} <= set(hrefs)
    home_types = [el.tag for el in hrefs["calendars"].find(".//d:resourcetype", ns)]
    assert home_types == ["{DAV:}collection"]
    reminders = [r for r in tree.findall("d:response", ns) if r.findtext(".//d:displayname", namespaces=ns) == "Reminders"]
    assert [c.get("name") for c in reminders[0].iterfind(".//c:comp", ns)] == ["VTODO"]
    assert hrefs["2A1F0C3E-WORK"].findtext(".//i:calendar-color", namespaces=ns) == "#FF2968FF"
    assert "HTTP/1.1 404 Not Found" in [s.text for s in hrefs["outbox"].iterfind(".//d:status", ns)]
    assert "<comp name='VEVENT' xmlns='urn:ietf:params:xml:ns:caldav'/>" in text
    assert '<href xmlns="DAV:">' in text


def test_both_hosts_serve_the_calendars(ada):
    path = urlsplit(ada.calendar_url(ADA, "2A1F0C3E-WORK")).path
    for origin in (ada.url.rstrip("/"), ada.partition_origin):
        status, _, _ = raw(origin + path, "PROPFIND", Depth="0")
        assert status == 207


def test_principal_depth_1_and_get_root_answer_400(ada):
    principal = ada.url + ada.dsids[ADA] + "/principal/"
    assert raw(principal, "PROPFIND", Depth="0")[0] == 207
    assert raw(principal, "PROPFIND", Depth="1")[0] == 400
    assert raw(ada.url, "GET")[0] == 400


@pytest.mark.parametrize("basic_first", [True, False], ids=["basic-first", "mobileme-first"])
def test_wrong_password_is_bad_credentials_whatever_the_header_order(ada, basic_first):
    ada.auth_headers_basic_first = basic_first
    status, headers, _ = raw(ada.url, "PROPFIND", password="wxyz-wxyz-wxyz-wxyz", Depth="0")
    assert status == 401
    challenges = headers.get_all("WWW-Authenticate")
    expected = ['Basic realm="MMCalDav"', 'X-MobileMe-AuthToken realm="MMCalDav"']
    assert challenges == (expected if basic_first else expected[::-1])
    with Store(ada.url, ADA, "wxyz-wxyz-wxyz-wxyz", timeout=5, allowed_hosts=ada.allowed_hosts) as store, pytest.raises(BadCredentials) as caught:
        store.list_calendars()
    assert str(caught.value) == BadCredentials.message
    assert "wxyz" not in str(caught.value)


def test_a_saved_calendar_url_on_either_host_works_in_a_fresh_store(ada):
    """A sync run opens a new Store with only the saved calendar URL (partition host) and the gateway URL."""
    ada.put_event(ADA, "2A1F0C3E-WORK", "a.ics", "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\nBEGIN:VEVENT\n"
                  "UID:a@test\nDTSTAMP:20261101T090000Z\nDTSTART:20261201T100000Z\nDTEND:20261201T110000Z\n"
                  "SUMMARY:A\nEND:VEVENT\nEND:VCALENDAR\n")
    saved = ada.calendar_url(ADA, "2A1F0C3E-WORK")
    on_gateway = ada.url.rstrip("/") + urlsplit(saved).path
    with Store(ada.url, ADA, APP_PASSWORD, timeout=5, allowed_hosts=ada.allowed_hosts) as store:
        assert len(store.calendar(saved).search(event=True, post_filter=False)) == 1
        # iCloud may still give hrefs on caldav.icloud.com: caldav moves them to the partition host
        assert str(store.calendar(on_gateway).url) == saved
