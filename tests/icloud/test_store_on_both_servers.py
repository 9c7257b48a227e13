"""Slotwise's Store gives the same answers on Radicale and on the iCloud shape."""
from __future__ import annotations

from urllib.parse import unquote

import pytest

from tests.conftest import APP_PASSWORD
from webapp.caldav_store import BadCredentials, Store

ADA = "ada@icloud.example"


def test_list_calendars_gives_exactly_the_event_calendars(caldav_server):
    caldav_server.add_user(ADA, APP_PASSWORD)
    work = caldav_server.make_calendar(ADA, "work", name="Work", color="#FF2968FF")
    home = caldav_server.make_calendar(ADA, "home", name="Home", color="#1BADF8")
    caldav_server.make_calendar(ADA, "tasks", name="Tasks", components=("VTODO",))
    with Store(caldav_server.url, ADA, APP_PASSWORD, timeout=5, allowed_hosts=caldav_server.allowed_hosts) as store:
        calendars = store.list_calendars()
    # Radicale's hrefs spell the e-mail's "@" as %40, the rig's URLs do not: the same URL to caldav
    assert sorted((unquote(c.url), c.name, c.color) for c in calendars) == sorted(
        [(work, "Work", "#FF2968"), (home, "Home", "#1BADF8")])


def test_wrong_password_gives_the_same_message_on_both_servers(caldav_server):
    caldav_server.add_user(ADA, APP_PASSWORD)
    with Store(caldav_server.url, ADA, "wxyz-wxyz-wxyz-wxyz", timeout=5, allowed_hosts=caldav_server.allowed_hosts) as store, pytest.raises(BadCredentials) as caught:
        store.home_url()
    assert str(caught.value) == "Apple did not accept this e-mail and app-specific password."


def test_server_down_then_up_again(caldav_server):
    from webapp.caldav_store import Unreachable

    caldav_server.add_user(ADA, APP_PASSWORD)
    caldav_server.make_calendar(ADA, "work", name="Work")
    caldav_server.stop()
    with Store(caldav_server.url, ADA, APP_PASSWORD, timeout=2, allowed_hosts=caldav_server.allowed_hosts) as store, pytest.raises(Unreachable):
        store.list_calendars()
    caldav_server.start()
    caldav_server.reset_counts()
    with Store(caldav_server.url, ADA, APP_PASSWORD, timeout=5, allowed_hosts=caldav_server.allowed_hosts) as store:
        assert [c.name for c in store.list_calendars()] == ["Work"]
    assert caldav_server.request_count == 3  # principal, home, listing
