"""The subscriptions API round trip, Primary Calendar refusal, the CLI and the scheduler's pick."""
from __future__ import annotations

from datetime import timedelta

from tests.feeds.conftest import at, event, feed, monday_in_two_weeks
from tests.feeds.feed_server import Behaviour
from webapp.models import BlockedSlot, CalendarAccount, RemoteCalendar
from webapp.sync import due_account_ids

DAY = monday_in_two_weeks()
MEETING = event("m1@feed", at(DAY, 10), at(DAY, 11), "Assembly")


def test_the_api_round_trip_add_list_choose_for_conflicts_and_delete(app, api, feed_server):
    feed_server.write("holidays.ics", feed(MEETING))
    answer = api.post("/api/v1/subscriptions", json={"name": "Holidays", "url": feed_server.url("holidays.ics")})
    assert answer.status_code == 201
    sub = answer.json
    assert set(sub) >= {"id", "calendar_id", "name", "url", "status", "last_synced_at", "last_error"}
    assert (sub["name"], sub["url"], sub["role"]) == ("Holidays", f"http://127.0.0.1:{feed_server.port}/…", None)
    assert api.get("/api/v1/subscriptions").json == [sub]
    assert api.get("/api/v1/accounts").json == []  # not an iCloud account

    refused = api.put("/api/v1/calendar-configuration",
                      json={"primary_calendar_id": sub["calendar_id"], "conflict_calendar_ids": []})
    assert refused.status_code == 422 and "cannot be the Primary Calendar" in refused.json["message"]
    chosen = api.put("/api/v1/calendar-configuration",
                     json={"primary_calendar_id": None, "conflict_calendar_ids": [sub["calendar_id"]]})
    assert chosen.status_code == 200
    assert chosen.json["conflicts"] == [{"account_id": sub["id"], "calendar_id": sub["calendar_id"], "name": "Holidays"}]
    listed = api.get("/api/v1/subscriptions").json[0]
    assert listed["role"] == "conflict" and listed["status"] == "connected" and listed["last_synced_at"]
    items = api.get(f"/api/v1/calendar?start={DAY}&end={DAY + timedelta(days=1)}").json["items"]
    assert [(i["source"], i["title"]) for i in items] == [("subscription", "Assembly")]

    assert api.delete(f"/api/v1/subscriptions/{sub['id']}").status_code == 204
    assert api.get("/api/v1/subscriptions").json == []
    assert api.delete(f"/api/v1/subscriptions/{sub['id']}").status_code == 404
    with app.app_context():
        assert BlockedSlot.select().count() == 0 and RemoteCalendar.select().count() == 0


def test_bad_bodies_and_addresses_answer_422_with_the_field(api):
    assert api.post("/api/v1/subscriptions", data="x").status_code == 422
    answer = api.post("/api/v1/subscriptions", json={"name": "", "url": "ftp://example.com/x.ics"})
    assert answer.status_code == 422
    assert set(answer.json["fields"]) == {"name", "url"} and "webcal://" in answer.json["fields"]["url"]
    unreachable = api.post("/api/v1/subscriptions", json={"name": "Gone", "url": "http://127.0.0.1:9/x.ics"})
    assert unreachable.status_code == 422 and "Nothing was saved" in unreachable.json["message"]


def test_flask_sync_fetches_every_feed_and_the_scheduler_picks_feed_accounts(app, api, feed_server, runner):
    feed_server.write("holidays.ics", feed(MEETING))
    sub = api.post("/api/v1/subscriptions", json={"name": "Holidays", "url": feed_server.url("holidays.ics")}).json
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0 and "Holidays (ada@example.com): not fetched: not checked for conflicts" in result.output
    api.put("/api/v1/calendar-configuration", json={"primary_calendar_id": None,
                                                      "conflict_calendar_ids": [sub["calendar_id"]]})
    with app.app_context():
        assert sub["id"] in due_account_ids()
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    assert "subscribed calendar Holidays" in result.output and "1 request(s)" in result.output
    assert feed_server.requests_to("holidays.ics")[-1].status == 304
    feed_server.write("holidays.ics", "<html></html>")
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 1 and "Holidays (ada@example.com): failed: The address gives a web page" in result.output
    with app.app_context():
        assert CalendarAccount.get_by_id(sub["id"]).status == CalendarAccount.ERROR


def test_the_conflicts_form_lists_every_subscribed_calendar_in_one_group_by_name(app, api, feed_server,
                                                                                 owner_client):
    feed_server.write("a.ics", feed(MEETING))
    for name, path in (("Zoo club", "a.ics"), ("Art school", "a.ics?second")):
        assert api.post("/api/v1/subscriptions", json={"name": name, "url": feed_server.url(path)}).status_code == 201
    page = owner_client.get("/settings/profile/calendar-configuration/conflicts/edit").get_data(as_text=True)
    assert page.count("<legend>Subscribed calendar") == 1
    assert page.index("Art school") < page.index("Zoo club")


def test_sync_health_lists_a_feed_with_its_requests_and_its_error_in_words(app, api, feed_server, runner):
    feed_server.write("holidays.ics", feed(MEETING))
    sub = api.post("/api/v1/subscriptions", json={"name": "Holidays", "url": feed_server.url("holidays.ics")}).json
    api.put("/api/v1/calendar-configuration", json={"primary_calendar_id": None,
                                                      "conflict_calendar_ids": [sub["calendar_id"]]})
    [row] = api.get("/api/v1/sync-health").json
    assert row["calendar"] == {"id": sub["calendar_id"], "name": "Holidays"}
    assert row["account"]["provider"] == "subscription" and row["objects"] == 1 and row["last_run_requests"] == 1
    assert row["last_success_at"] and row["last_error"] is None
    feed_server.behaviour["holidays.ics"] = Behaviour(status=404)
    runner.invoke(args=["sync"])
    [row] = api.get("/api/v1/sync-health").json
    assert "404 (not found)" in row["last_error"] and row["last_run_requests"] == 1 and row["next_try_at"]
    assert row["objects"] == 1  # what was mirrored stays
