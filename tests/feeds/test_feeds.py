"""Subscribed calendars end to end over HTTP: a real feed server on loopback, the API and the sync."""
from __future__ import annotations

import logging
from datetime import timedelta, timezone

import pytest

from tests.feeds.conftest import at, event, feed, monday_in_two_weeks
from tests.feeds.feed_server import Behaviour
from webapp.models import BlockedSlot, CalendarAccount, RemoteCalendar, SyncRun

DAY = monday_in_two_weeks()
MEETING = event("m1@feed", at(DAY, 10), at(DAY, 11), "Assembly")
LUNCH = event("m2@feed", at(DAY, 12), at(DAY, 13), "Lunch")
THIRD = event("m3@feed", at(DAY, 14), at(DAY, 15), "Sports day")


def _subscribe(api, url: str, name: str = "School") -> dict:
    answer = api.post("/api/v1/subscriptions", json={"name": name, "url": url})
    assert answer.status_code == 201, answer.json
    return answer.json


def _check_for_conflicts(api, *calendar_ids: int) -> None:
    answer = api.put("/api/v1/calendar-configuration",
                     json={"primary_calendar_id": None, "conflict_calendar_ids": list(calendar_ids)})
    assert answer.status_code == 200, answer.json


def _shown(api, sub: dict) -> dict:
    """The subscription as the API shows it."""
    return next(s for s in api.get("/api/v1/subscriptions").json if s["id"] == sub["id"])


def _free_hours(api) -> set[int]:
    slots = api.get(f"/api/v1/availability?start={DAY}&end={DAY}&duration=60").json["slots"]
    return {int(s[11:13]) for s in slots if s.endswith(":00:00+01:00") or s.endswith(":00:00+02:00")}


@pytest.fixture
def subscribed(api, feed_server):
    """A feed with two events, subscribed and checked for conflicts (which fetches it once)."""
    feed_server.write("school.ics", feed(MEETING, LUNCH))
    sub = _subscribe(api, feed_server.url("school.ics"))
    _check_for_conflicts(api, sub["calendar_id"])
    return sub


def _sync_now(owner_client, sub: dict):
    return owner_client.post(f"/settings/profile/integrations/subscriptions/{sub['id']}/sync", headers=owner_client.hx)


def test_a_feeds_events_block_availability_as_subscription_blocked_slots(api, subscribed):
    assert 10 not in _free_hours(api) and 12 not in _free_hours(api)
    assert {9, 11, 13} <= _free_hours(api)
    items = api.get(f"/api/v1/calendar?start={DAY}&end={DAY + timedelta(days=1)}").json["items"]
    assert {(i["title"], i["source"], i["calendar"]["name"]) for i in items} == {
        ("Assembly", "subscription", "School"), ("Lunch", "subscription", "School")}


def test_a_second_fetch_of_an_unchanged_feed_is_one_request_answered_304(app, api, subscribed, feed_server,
                                                                          owner_client):
    first = feed_server.requests_to("school.ics")
    assert [s.status for s in first] == [200, 200]  # checked when added, then mirrored
    _sync_now(owner_client, subscribed)
    seen = feed_server.requests_to("school.ics")[2:]
    assert [s.status for s in seen] == [304]
    assert seen[0].headers.get("If-None-Match")
    assert seen[0].headers.get("If-Modified-Since")
    with app.app_context():
        run = SyncRun.select().order_by(SyncRun.id.desc()).first()
        assert (run.requests, run.error, run.pulled, run.deleted) == (1, None, 0, 0)
    assert 10 not in _free_hours(api)


def test_if_modified_since_alone_makes_an_unchanged_feed_one_304(api, feed_server, owner_client):
    feed_server.behaviour["dated.ics"] = Behaviour(etag=False)
    feed_server.write("dated.ics", feed(MEETING), mtime=1_700_000_000)
    sub = _subscribe(api, feed_server.url("dated.ics"))
    _check_for_conflicts(api, sub["calendar_id"])
    _sync_now(owner_client, sub)
    last = feed_server.requests_to("dated.ics")[-1]
    assert last.status == 304 and "If-None-Match" not in last.headers
    assert 10 not in _free_hours(api)


def test_a_changed_feed_updates_the_blocked_slots(app, api, subscribed, feed_server, owner_client):
    feed_server.write("school.ics", feed(event("m1@feed", at(DAY, 15), at(DAY, 16), "Assembly moved"), THIRD))
    _sync_now(owner_client, subscribed)
    free = _free_hours(api)
    assert {10, 12} <= free and 14 not in free and 15 not in free
    with app.app_context():
        titles = sorted(b.title for b in BlockedSlot.select())
        run = SyncRun.select().order_by(SyncRun.id.desc()).first()
    assert titles == ["Assembly moved", "Sports day"]
    assert (run.pulled, run.updated, run.deleted) == (1, 1, 1)


def test_a_feed_gone_empty_keeps_its_blocked_slots_until_a_second_fetch_confirms(app, api, feed_server,
                                                                                 owner_client):
    feed_server.write("school.ics", feed(MEETING, LUNCH, THIRD))
    sub = _subscribe(api, feed_server.url("school.ics"))
    _check_for_conflicts(api, sub["calendar_id"])
    feed_server.write("school.ics", feed())
    _sync_now(owner_client, sub)
    with app.app_context():
        assert BlockedSlot.select().count() == 3
        assert "suddenly lists no events" in SyncRun.select().order_by(SyncRun.id.desc()).first().warnings
    _sync_now(owner_client, sub)
    # the unconfirmed answer's validators were not kept: the second fetch is a full one, not a 304
    assert feed_server.requests_to("school.ics")[-1].status == 200
    with app.app_context():
        assert BlockedSlot.select().count() == 0


def test_one_broken_event_never_loses_the_others(app, api, feed_server):
    broken = "BEGIN:VEVENT\r\nUID:bad@feed\r\nDTSTART:notadate\r\nDTEND:alsonot\r\nEND:VEVENT\r\n"
    cut_off = "BEGIN:VEVENT\r\nUID:cut@feed\r\nDTSTART:20300101T100000Z\r\n"
    feed_server.write("mixed.ics", feed(MEETING, broken, cut_off, LUNCH))
    sub = _subscribe(api, feed_server.url("mixed.ics"))
    _check_for_conflicts(api, sub["calendar_id"])
    with app.app_context():
        assert sorted(b.title for b in BlockedSlot.select()) == ["Assembly", "Lunch"]
        run = SyncRun.select().order_by(SyncRun.id.desc()).first()
    assert run.error is None and run.skipped == 2


def test_recurrences_all_day_free_and_cancelled_events_mean_what_they_mean_in_caldav(app, api, feed_server):
    start = at(DAY, 8)
    weekly = event("series@feed", start, start + timedelta(hours=1), "Weekly", "RRULE:FREQ=WEEKLY;COUNT=3\r\n")
    moved = event("series@feed", start + timedelta(days=7, hours=2), start + timedelta(days=7, hours=3), "Moved",
                  f"RECURRENCE-ID:{(start + timedelta(days=7)).astimezone(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}\r\n")
    free = event("free@feed", at(DAY, 10), at(DAY, 11), "Free", "TRANSP:TRANSPARENT\r\n")
    cancelled = event("gone@feed", at(DAY, 12), at(DAY, 13), "Gone", "STATUS:CANCELLED\r\n")
    day_two = DAY + timedelta(days=1)
    all_day = (f"BEGIN:VEVENT\r\nUID:allday@feed\r\nDTSTART;VALUE=DATE:{day_two:%Y%m%d}\r\n"
               f"DTEND;VALUE=DATE:{day_two + timedelta(days=1):%Y%m%d}\r\nSUMMARY:Holiday\r\nEND:VEVENT\r\n")
    feed_server.write("kinds.ics", feed(weekly, moved, free, cancelled, all_day))
    sub = _subscribe(api, feed_server.url("kinds.ics"))
    _check_for_conflicts(api, sub["calendar_id"])
    with app.app_context():
        slots = sorted((b.title, b.all_day) for b in BlockedSlot.select())
    assert slots == [("Holiday", True), ("Moved", False), ("Weekly", False), ("Weekly", False)]


@pytest.mark.parametrize(("behaviour", "words"), [
    (Behaviour(content_type="text/html"), "web page, not a calendar feed"),
    (Behaviour(status=500), "server error (500)"),
    (Behaviour(status=404), "404 (not found)"),
    (Behaviour(delay=4), "did not answer within 2 seconds"),
], ids=["html", "500", "404", "timeout"])
def test_a_bad_feed_gives_words_on_the_card_and_backs_off(app, api, subscribed, feed_server, owner_client, behaviour,
                                                           words):
    if behaviour.content_type == "text/html":
        feed_server.write("school.ics", "<!doctype html><html><body>Sign in</body></html>")
    feed_server.behaviour["school.ics"] = behaviour
    answer = _sync_now(owner_client, subscribed)
    assert answer.status_code == 200
    assert words in answer.get_data(as_text=True)
    shown = _shown(api, subscribed)
    assert words in shown["last_error"] and shown["status"] == "error" and shown["next_sync_after"]
    assert 10 not in _free_hours(api)  # what was mirrored keeps blocking time


def test_a_feed_larger_than_the_cap_is_refused_while_reading(app, api, subscribed, feed_server, owner_client):
    app.config["FEED_MAX_BYTES"] = 4096
    feed_server.write("school.ics", feed(*(event(f"e{i}@feed", at(DAY, 9), at(DAY, 10)) for i in range(100))))
    _sync_now(owner_client, subscribed)
    assert "larger than" in _shown(api, subscribed)["last_error"]
    with app.app_context():
        assert BlockedSlot.select().count() == 2


def test_private_addresses_are_refused_when_added_and_at_every_fetch_without_the_setting(app, api, subscribed,
                                                                                         feed_server, owner_client):
    app.config["ALLOW_PRIVATE_FEEDS"] = False
    answer = api.post("/api/v1/subscriptions", json={"name": "Local", "url": feed_server.url("other.ics")})
    assert answer.status_code == 422
    assert "loopback" in answer.json["message"] and "ALLOW_PRIVATE_FEEDS" in answer.json["message"]
    form = owner_client.post("/settings/profile/integrations/subscriptions/add", headers=owner_client.hx,
                             data={"name": "Local", "url": feed_server.url("other.ics", host="localhost")})
    assert form.status_code == 422 and "loopback" in form.get_data(as_text=True)
    before = len(feed_server.seen)
    _sync_now(owner_client, subscribed)  # added while allowed; refused at the next fetch
    assert len(feed_server.seen) == before
    assert "loopback" in _shown(api, subscribed)["last_error"]


def test_private_and_link_local_addresses_get_no_request_and_each_redirect_hop_is_resolved_again(app, feed_server):
    from webapp.feeds import Fetcher, Refused

    fetcher = Fetcher(timeout=2, max_bytes=10_000, allow_private=False)
    with pytest.raises(Refused, match="private network"):
        fetcher.get("http://10.0.0.1/feed.ics")
    with pytest.raises(Refused, match="link-local"):
        fetcher.get("http://169.254.169.254/latest/meta-data")
    assert fetcher.requests == 0
    allowed = Fetcher(timeout=2, max_bytes=10_000, allow_private=True)
    feed_server.write("target.ics", feed(MEETING))
    feed_server.behaviour["moved.ics"] = Behaviour(location=feed_server.url("target.ics"))
    assert "Assembly" in allowed.get(feed_server.url("moved.ics")).text
    assert allowed.requests == 2


def test_webcal_is_fetched_over_https_with_the_certificate_checked_for_the_name(app, api, tls_feed_server):
    app.config["FEED_VERIFY"] = tls_feed_server.ca
    tls_feed_server.write("cal.ics", feed(MEETING))
    webcal = tls_feed_server.url("cal.ics", host="localhost").replace("https://", "webcal://")
    sub = _subscribe(api, webcal)
    assert sub["url"] == f"https://localhost:{tls_feed_server.port}/…"
    _check_for_conflicts(api, sub["calendar_id"])
    assert 10 not in _free_hours(api)
    assert tls_feed_server.requests_to("cal.ics")[0].headers["Host"] == f"localhost:{tls_feed_server.port}"
    app.config["FEED_VERIFY"] = True  # the system's CAs do not trust the test certificate
    answer = api.post("/api/v1/subscriptions", json={"name": "Untrusted", "url": webcal + "?again"})
    assert answer.status_code == 422 and "certificate" in answer.json["message"]


def test_the_feed_address_never_appears_in_full_in_pages_api_or_logs(app, api, owner_client, feed_server, caplog):
    secret = "school.ics?token=s3cr3t-capability"
    feed_server.write("school.ics", feed(MEETING))
    caplog.set_level(logging.DEBUG)
    sub = _subscribe(api, feed_server.url(secret))
    _check_for_conflicts(api, sub["calendar_id"])
    _sync_now(owner_client, sub)
    feed_server.behaviour["school.ics"] = Behaviour(status=500)
    _sync_now(owner_client, sub)
    pages = [owner_client.get(path).get_data(as_text=True) for path in (
        "/settings/profile/integrations", "/settings/profile/calendar-configuration",
        "/settings/profile/calendar-configuration/conflicts/edit")]
    answers = [api.get(path).get_data(as_text=True) for path in (
        "/api/v1/subscriptions", "/api/v1/accounts", "/api/v1/calendar-configuration")]
    for text in [*pages, *answers, caplog.text]:
        assert "s3cr3t" not in text and "school.ics" not in text
    assert f"http://127.0.0.1:{feed_server.port}/…" in pages[0]
    with app.app_context():
        account = CalendarAccount.get_by_id(sub["id"])
        assert "s3cr3t" not in account.password_encrypted and "s3cr3t" not in account.email
        assert "s3cr3t" not in RemoteCalendar.get_by_id(sub["calendar_id"]).url


def test_a_feed_chosen_again_after_being_unchecked_is_fetched_whole(app, api, subscribed, feed_server):
    _check_for_conflicts(api)  # unchecked: its mirror is forgotten
    with app.app_context():
        assert BlockedSlot.select().count() == 0
    _check_for_conflicts(api, subscribed["calendar_id"])
    last = feed_server.requests_to("school.ics")[-1]
    assert last.status == 200 and "If-None-Match" not in last.headers  # no 304 onto an empty mirror
    assert 10 not in _free_hours(api)


def test_a_feed_asking_to_slow_down_is_tried_again_after_its_retry_after(app, api, subscribed, feed_server,
                                                                         owner_client):
    feed_server.behaviour["school.ics"] = Behaviour(status=429, headers={"Retry-After": "600"})
    _sync_now(owner_client, subscribed)
    shown = _shown(api, subscribed)
    assert "slow down" in shown["last_error"]
    with app.app_context():
        account = CalendarAccount.get_by_id(subscribed["id"])
        run = SyncRun.select().order_by(SyncRun.id.desc()).first()
        assert timedelta(seconds=590) < account.next_sync_after - run.started_at <= timedelta(seconds=600)
