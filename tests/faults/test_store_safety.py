"""Where the Apple ID password may go and how much a reply may hold (issue 12, points 5 and 6).

The CalDAV server is Radicale behind the fault proxy (tests/rigs/fault_proxy.py), which rewrites its
answers to name another host, redirects, or pads an answer past the cap. The other host is a recorder on
a second loopback address (127.0.0.2, tests/rigs/recorder.py): it must never hear from Slotwise.
"""
from __future__ import annotations

from collections.abc import Iterator
import pytest

from tests.conftest import APP_PASSWORD
from tests.faults.conftest import APPLE_ID
from tests.faults.test_fault_matrix import day, vevent
from tests.rigs.icloud_front import IcloudFront
from tests.rigs.recorder import Recorder
from webapp import create_app
from webapp.caldav_store import HostNotAllowed, ResponseTooLarge, Store, host_rules
from webapp.models import BlockedSlot, CalendarAccount, RemoteCalendar
from webapp.sync import sync_account_now

SMALL_CAP = 256 * 1024
BIG_REPLY = 64 * 1024 * 1024  # what the proxy would send in full if the client kept reading


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rig = Recorder()
    yield rig
    rig.stop()


@pytest.fixture
def calendars(radicale):
    """Two calendars in the account, one event each."""
    for cal_id, name, hour in (("work", "Work", 9), ("home", "Home", 14)):
        radicale.make_calendar(APPLE_ID, cal_id, name)
        radicale.put_event(APPLE_ID, cal_id, f"{cal_id}.ics", vevent(f"{cal_id}@test", day(2, hour)))
    return radicale


def store(proxy, **kw) -> Store:
    return Store(proxy.url, APPLE_ID, APP_PASSWORD, timeout=5, **kw)


def url_of(proxy, radicale, cal_id: str) -> str:
    return proxy.url.rstrip("/") + radicale.calendar_path(APPLE_ID, cal_id)


# --- point 5: the password goes to the configured server and allowed hosts only ----------------


def test_a_calendar_home_on_another_host_is_refused_and_that_host_hears_nothing(proxy, calendars, recorder):
    proxy.inject("rewrite", method="PROPFIND", times=-1, pattern=rb"(<C:calendar-home-set><href>)",
                 replacement=rb"\1" + recorder.origin.encode())
    with store(proxy) as s, pytest.raises(HostNotAllowed) as caught:
        s.list_calendars()
    assert recorder.received == []
    assert f"another host ({recorder.origin})" in str(caught.value) and "CALDAV_ALLOWED_HOSTS" in str(caught.value)
    assert APP_PASSWORD not in str(caught.value)


def test_a_calendar_listed_on_another_host_is_left_out_and_that_host_hears_nothing(proxy, calendars, recorder):
    proxy.inject("rewrite", method="PROPFIND", times=-1, pattern=rb"<href>(/[^<]*/home/)</href>",
                 replacement=b"<href>" + recorder.origin.encode() + rb"\1</href>")
    with store(proxy) as s:
        listed = s.list_calendars()
        for cal in listed:
            s.sync_collection(cal.url, None)
    assert [c.name for c in listed] == ["Work"]
    assert recorder.received == []


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_another_host_is_not_followed(proxy, calendars, recorder, status):
    proxy.inject("redirect", method="REPORT", status=status, location=recorder.origin + "/stolen/")
    with store(proxy) as s, pytest.raises(HostNotAllowed) as caught:
        s.sync_collection(url_of(proxy, calendars, "work"), None)
    assert recorder.received == []
    assert "redirected" in str(caught.value)


def test_a_redirect_to_another_host_is_not_followed_even_when_that_host_is_allowed(proxy, calendars, recorder):
    proxy.inject("redirect", method="REPORT", status=307, location=recorder.origin + "/stolen/")
    with store(proxy, allowed_hosts=recorder.origin) as s, pytest.raises(HostNotAllowed):
        s.sync_collection(url_of(proxy, calendars, "work"), None)
    assert recorder.received == []


def test_a_redirect_on_the_same_server_is_still_followed(proxy, calendars):
    work = url_of(proxy, calendars, "work")
    proxy.inject("redirect", method="REPORT", path_contains="/moved/", status=307, location=work)
    with store(proxy) as s:
        listing = s.sync_collection(work.replace("/work/", "/moved/"), None)
    assert [href.rsplit("/", 1)[-1] for href in listing.changed] == ["work.ics"]


def test_a_saved_calendar_on_another_host_fails_alone_and_the_others_sync(app, proxy, calendars, recorder, user,
                                                                         make_account):
    foreign = recorder.origin + calendars.calendar_path(APPLE_ID, "home")
    account = make_account(user, APPLE_ID, calendars={url_of(proxy, calendars, "work"): ("Work", "conflict"),
                                                       foreign: ("Home", "conflict")})
    with app.app_context():
        run = sync_account_now(account.id)
        account = CalendarAccount.get_by_id(account.id)
        titles = sorted(s.remote_calendar.name for s in BlockedSlot.select())
    assert recorder.received == []
    assert titles == ["Work"]
    assert run.error.startswith(f"Home: The calendar server pointed Slotwise to another host ({recorder.origin})")
    assert account.status == CalendarAccount.ERROR and account.last_error == run.error


def test_the_icloud_shaped_partition_host_works_when_allowed_and_is_refused_when_not(radicale):
    """The front names its partition host (127.0.0.2:<port>) in the calendar home, as iCloud names
    pNN-caldav.icloud.com; the tests admit it with CALDAV_ALLOWED_HOSTS as `*.icloud.com` admits iCloud's."""
    front = IcloudFront(radicale)
    try:
        front.add_user(APPLE_ID, APP_PASSWORD)
        front.make_calendar(APPLE_ID, "2A1F0C3E-WORK", name="Work")
        with Store(front.url, APPLE_ID, APP_PASSWORD, timeout=5, allowed_hosts=front.allowed_hosts) as s:
            assert [c.name for c in s.list_calendars()] == ["Work"]
        front.reset_counts()
        with Store(front.url, APPLE_ID, APP_PASSWORD, timeout=5) as s, pytest.raises(HostNotAllowed):
            s.list_calendars()  # the default, *.icloud.com, does not cover a loopback address
        assert [r.depth for r in front.seen] == ["0", "0"]  # principal and home, both on the gateway
    finally:
        front.stop()


@pytest.mark.parametrize(("url", "admitted"), [
    ("https://p07-caldav.icloud.com:443/123/calendars/", True),
    ("https://p143-caldav.icloud.com/123/calendars/", True),
    ("https://P07-CALDAV.ICLOUD.COM/123/calendars/", True),
    ("http://p07-caldav.icloud.com/123/calendars/", False),  # https only
    ("https://p07-caldav.icloud.com:8443/123/calendars/", False),
    ("https://icloud.com/123/calendars/", False),
    ("https://icloud.com.example.net/x/", False),
    ("https://example.net/p07-caldav.icloud.com/", False),
    ("https://p07-caldav.icloud.com@example.net/", False),
    ("https://example.net/?.icloud.com", False),
])
def test_the_default_allowed_hosts_admit_icloud_partition_hosts_over_https_only(url, admitted):
    assert any(rule.admits(url) for rule in host_rules("*.icloud.com")) is admitted


def test_an_allowed_host_with_a_scheme_admits_that_origin_only():
    rules = host_rules("*.icloud.com, http://127.0.0.2:8080")
    assert any(rule.admits("http://127.0.0.2:8080/a/") for rule in rules)
    assert not any(rule.admits("http://127.0.0.2:8081/a/") for rule in rules)
    assert not any(rule.admits("https://127.0.0.2:8080/a/") for rule in rules)


@pytest.mark.parametrize("entry", ["ftp://example.org", "https://example.org/path", "example.org:port", "://"])
def test_a_bad_allowed_hosts_entry_is_refused_by_name(entry):
    with pytest.raises(ValueError, match="CALDAV_ALLOWED_HOSTS"):
        host_rules(entry)


# --- point 6: a reply is capped while it streams ------------------------------------------------


@pytest.mark.parametrize("declare_length", [False, True], ids=["chunked", "content-length"])
def test_an_oversized_reply_stops_being_read_at_the_cap(proxy, calendars, declare_length):
    fault = proxy.inject("oversize", method="REPORT", size=BIG_REPLY, declare_length=declare_length)
    with store(proxy, max_response_bytes=SMALL_CAP) as s, pytest.raises(ResponseTooLarge) as caught:
        s.sync_collection(url_of(proxy, calendars, "work"), None)
    assert "larger than 256 KB" in str(caught.value) and "CALDAV_MAX_RESPONSE_BYTES" in str(caught.value)
    # The client hung up near the cap: the proxy got rid of a few socket buffers' worth, not 64 MB.
    assert fault.sent < BIG_REPLY // 4


def test_a_reply_under_the_cap_is_read_whole(proxy, calendars):
    fault = proxy.inject("oversize", method="REPORT", size=SMALL_CAP - 1024)
    with store(proxy, max_response_bytes=SMALL_CAP) as s:
        listing = s.sync_collection(url_of(proxy, calendars, "work"), None)
    assert [href.rsplit("/", 1)[-1] for href in listing.changed] == ["work.ics"]
    assert fault.sent == SMALL_CAP - 1024


@pytest.fixture
def app_config(app_config: dict) -> dict:
    app_config["CALDAV_MAX_RESPONSE_BYTES"] = SMALL_CAP
    return app_config


def test_an_oversized_calendar_fails_alone_in_words_and_the_others_sync(app, proxy, calendars, user,
                                                                          make_account):
    account = make_account(user, APPLE_ID, calendars={url_of(proxy, calendars, "work"): ("Work", "conflict"),
                                                       url_of(proxy, calendars, "home"): ("Home", "conflict")})
    proxy.inject("oversize", method="REPORT", path_contains="/home/", size=BIG_REPLY, times=-1)
    with app.app_context():
        run = sync_account_now(account.id)
        account = CalendarAccount.get_by_id(account.id)
        home = RemoteCalendar.get(RemoteCalendar.name == "Home")
        titles = sorted(s.remote_calendar.name for s in BlockedSlot.select())
    assert titles == ["Work"]
    assert home.sync_token is None  # nothing of the cut-off reply was taken
    assert run.error.startswith("Home: The calendar server sent a reply larger than 256 KB")
    assert account.status == CalendarAccount.ERROR and account.last_error == run.error
    assert account.consecutive_failures == 1 and account.next_sync_after is not None  # backs off like any error

    proxy.clear()
    with app.app_context():
        run = sync_account_now(account.id)
        account = CalendarAccount.get_by_id(account.id)
        titles = sorted(s.remote_calendar.name for s in BlockedSlot.select())
    assert run.error is None and account.status == CalendarAccount.CONNECTED
    assert titles == ["Home", "Work"]


def test_the_card_shows_the_oversized_calendar_error(app, proxy, calendars, user, make_account, logged_in):
    account = make_account(user, APPLE_ID, calendars={url_of(proxy, calendars, "home"): ("Home", "conflict")})
    proxy.inject("oversize", method="REPORT", size=BIG_REPLY, times=-1)
    with app.app_context():
        sync_account_now(account.id)
    card = logged_in.get("/settings/profile/integrations").get_data(as_text=True)
    assert "Last error: Home: The calendar server sent a reply larger than 256 KB" in card


# --- the two settings ---------------------------------------------------------------------------


def test_both_settings_are_read_from_the_environment_by_name(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("SLOTWISE_ENCRYPTION_KEY", "k6bX5tqWnkq8cYpJvN0Qm0JgXlWkL3x4bJYy6nT6sF0=")
    monkeypatch.setenv("CALDAV_ALLOWED_HOSTS", "*.icloud.com, https://calendar.example.org:8443")
    monkeypatch.setenv("CALDAV_MAX_RESPONSE_BYTES", "1048576")
    app = create_app()
    assert app.config["CALDAV_ALLOWED_HOSTS"] == "*.icloud.com, https://calendar.example.org:8443"
    assert app.config["CALDAV_MAX_RESPONSE_BYTES"] == 1048576


def test_the_defaults_are_icloud_over_https_and_50_mb(app_config):
    app = create_app({k: v for k, v in app_config.items() if k != "CALDAV_MAX_RESPONSE_BYTES"})  # set above
    assert app.config["CALDAV_ALLOWED_HOSTS"] == "*.icloud.com"
    assert app.config["CALDAV_MAX_RESPONSE_BYTES"] == 50 * 1024 * 1024


def test_a_bad_allowed_hosts_setting_stops_the_start_by_name(app_config):
    with pytest.raises(ValueError, match="CALDAV_ALLOWED_HOSTS: 'ftp://example.org'"):
        create_app({**app_config, "CALDAV_ALLOWED_HOSTS": "*.icloud.com ftp://example.org"})
