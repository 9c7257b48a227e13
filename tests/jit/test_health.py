"""Sync health per calendar that blocks time: GET /api/v1/sync-health and the panel on the account card."""
from __future__ import annotations

import sqlite3
from datetime import timedelta

import niquests
import pytest

from webapp import create_app
from playhouse.migrate import SchemaMigrator

from webapp.db import MIGRATIONS
from webapp.models import CalendarAccount, RemoteCalendar, SyncRun, database, utcnow
from webapp.sync import sync_account_now

from .conftest import at


def _by_name(api) -> dict[str, dict]:
    response = api.get("/api/v1/sync-health")
    assert response.status_code == 200
    return {row["calendar"]["name"]: row for row in response.get_json()}


def test_every_read_calendar_has_its_health_in_the_api(app, calendars, api, day):
    calendars.put_busy(day, 10, name="one")
    calendars.put_busy(day, 12, name="two")
    with app.app_context():
        sync_account_now(calendars.account_id)
    rows = _by_name(api)
    assert set(rows) == {"Home", "Work"}  # Other is not read
    work = rows["Work"]
    assert work["account"] == {"id": calendars.account_id, "email": "ada@icloud.example", "provider": "icloud",
                               "status": "connected"}
    assert work["role"] == "conflict" and rows["Home"]["role"] == "primary"
    assert work["objects"] == 2 and rows["Home"]["objects"] == 0
    assert work["last_run_requests"] == 2 and rows["Home"]["last_run_requests"] == 1  # a change: + one multiget
    assert work["last_error"] is None and work["age_seconds"] >= 0
    assert work["last_success_at"].endswith("+00:00") and work["next_try_at"].endswith("+00:00")


def test_a_failed_run_shows_its_error_in_words_and_keeps_the_last_success(app, calendars, api):
    before = _by_name(api)["Work"]["last_success_at"]

    def down(send, method, url, *args, **kwargs):
        raise niquests.exceptions.ConnectionError("injected: network down")

    app.config["CALDAV_REQUEST_HOOK"] = down
    with app.app_context():
        sync_account_now(calendars.account_id)
    rows = _by_name(api)
    first = rows["Home"]  # the run stops at the first calendar: the whole account backs off
    assert "could not be reached" in first["last_error"] and first["last_run_requests"] == 0
    assert rows["Work"]["last_success_at"] == before and "could not be reached" in rows["Work"]["last_error"]
    with app.app_context():
        account = CalendarAccount.get_by_id(calendars.account_id)
        assert rows["Work"]["next_try_at"] == account.next_sync_after.isoformat() + "+00:00"


def test_an_account_needing_reconnect_has_no_next_try(app, calendars, api):
    with app.app_context():
        CalendarAccount.update(status=CalendarAccount.NEEDS_RECONNECT, last_error="Apple refused the password.").where(
            CalendarAccount.id == calendars.account_id).execute()
    work = _by_name(api)["Work"]
    assert work["next_try_at"] is None and work["last_error"] == "Apple refused the password."
    assert work["account"]["status"] == "needs_reconnect"


def test_feeds_show_in_the_same_list(app, owner, api, make_account):
    with app.app_context():
        feed = CalendarAccount.create(owner=owner, provider="subscription", email="School timetable")
        RemoteCalendar.create(account=feed, url="https://example.org/school.ics", name="School", role="conflict")
    [row] = api.get("/api/v1/sync-health").get_json()
    assert row["account"]["provider"] == "subscription" and row["calendar"]["name"] == "School"
    assert row["last_success_at"] is None and row["objects"] == 0 and row["last_run_requests"] is None


def test_the_api_needs_a_token(client):
    assert client.get("/api/v1/sync-health").status_code == 401


def test_the_account_card_shows_the_panel(app, calendars, owner_client, day):
    calendars.put_busy(day, 10)
    with app.app_context():
        sync_account_now(calendars.account_id)
    html = owner_client.get("/settings/profile/integrations").get_data(as_text=True)
    panel = html.split('aria-label="Sync health of ada@icloud.example"', 1)[1].split("</table>", 1)[0]
    work = panel.split(">Work</th>", 1)[1].split("</tr>", 1)[0]
    assert "just now" in work and "<td>1</td>" in work and "<td>2</td>" in work and "none" in work
    assert ">Home</th>" in panel and ">Other</th>" not in panel


def test_the_check_before_a_booking_counts_as_a_successful_read(app, calendars, api, day):
    with app.app_context():
        RemoteCalendar.update(last_success_at=utcnow() - timedelta(hours=3)).execute()
    api.post("/api/v1/appointments", json={"start": at(day, 10).isoformat(), "end": at(day, 10, 30).isoformat()})
    assert _by_name(api)["Work"]["age_seconds"] < 3600
    assert [r.kind for r in calendars.runs(SyncRun.CHECK)] == ["check"]


@pytest.mark.sqlite_only  # builds the old schema in a SQLite file; tests/postgres migrates every step on PostgreSQL
def test_the_migration_adds_the_health_columns_to_an_existing_database(app_config, make_user, make_account):
    account = make_account(make_user(), "ada@icloud.example", calendars={"https://c/1/": ("Work", "conflict")})
    fresh = create_app(app_config)
    with fresh.app_context():
        SyncRun.create(account=account.id, requests=1)
        synced = utcnow().replace(microsecond=0)
        CalendarAccount.update(last_synced_at=synced).execute()
    path = app_config["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:  # the database as the version before had it
        for table, column in [("syncrun", "kind"), ("remotecalendar", "last_success_at"),
                              ("remotecalendar", "last_requests"), ("remotecalendar", "last_error")]:
            db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    [step] = [m for m in MIGRATIONS if m.__name__ == "_add_sync_health"]  # later steps may follow it
    with fresh.app_context():
        step(SchemaMigrator.from_database(database.obj))
        assert [r.kind for r in SyncRun.select()] == ["sync"]
        [cal] = RemoteCalendar.select()
        assert cal.last_success_at == synced  # the account's last sync read it
        assert cal.last_requests is None and cal.last_error is None
