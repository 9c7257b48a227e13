"""Reconnect, Sync now, Disconnect, account health, the reconnect banner and GET /api/v1/accounts."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from peewee import SqliteDatabase

from tests.conftest import APP_PASSWORD, SyncRuns
from tests.connect.conftest import ADA_APPLE_ID, htmx
from webapp import accounts, calendar_roles
from webapp.crypto import decrypt
from webapp.models import (
    Appointment,
    BlockedSlot,
    CalendarAccount,
    RemoteCalendar,
    RemoteObject,
    User,
    utcnow,
)
from webapp.sync import run as health

BASE = "/settings/profile/integrations"


@pytest.fixture
def connected(app, icloud, post_connect) -> CalendarAccount:
    assert post_connect().status_code == 200
    with app.app_context():
        return CalendarAccount.get()


def test_reconnect_with_a_new_good_password_sets_connected(app, icloud, logged_in, connected):
    with app.app_context():
        health.mark_needs_reconnect(CalendarAccount.get_by_id(connected.id), "Apple refused the password.")
    form = logged_in.get(f"{BASE}/accounts/{connected.id}/reconnect", headers=htmx(logged_in))
    assert "App-specific password" in form.get_data(as_text=True)
    icloud.add_user(ADA_APPLE_ID, "qrst-uvwx-yzab-cdef")
    response = logged_in.post(f"{BASE}/accounts/{connected.id}/reconnect", data={"password": "QRSTUVWXYZABCDEF"},
                              headers=htmx(logged_in))
    assert response.status_code == 200
    assert "Connected" in response.get_data(as_text=True)
    with app.app_context():
        account = CalendarAccount.get_by_id(connected.id)
        assert account.status == CalendarAccount.CONNECTED and account.last_error is None
        assert decrypt(account.password_encrypted) == "qrst-uvwx-yzab-cdef"


def test_reconnect_with_a_refused_password_keeps_the_old_one(app, icloud, logged_in, connected):
    response = logged_in.post(f"{BASE}/accounts/{connected.id}/reconnect", data={"password": "wxyz-wxyz-wxyz-wxyz"},
                              headers=htmx(logged_in))
    assert response.status_code == 422
    assert "Apple did not accept this e-mail and app-specific password" in response.get_data(as_text=True)
    with app.app_context():
        assert decrypt(CalendarAccount.get_by_id(connected.id).password_encrypted) == APP_PASSWORD


def test_reconnect_refuses_an_apple_id_password_shape(app, icloud, logged_in, connected):
    response = logged_in.post(f"{BASE}/accounts/{connected.id}/reconnect", data={"password": "Hunter2!"},
                              headers=htmx(logged_in))
    assert response.status_code == 422
    assert "Apple requires an app-specific password" in response.get_data(as_text=True)


def test_sync_now_runs_a_sync_of_the_account_and_rerenders_the_card(app, logged_in, connected):
    runs = SyncRuns(app)
    response = logged_in.post(f"{BASE}/accounts/{connected.id}/sync", headers=htmx(logged_in))
    assert response.status_code == 200
    assert runs.take() == [connected.id]
    card = response.get_data(as_text=True)
    assert f'id="account-{connected.id}"' in card and "Sync now" in card
    assert not re.search(r"<button[^>]*\sdisabled[\s>=]", card)  # wired and enabled


def test_account_card_shows_status_last_sync_and_last_error(app, logged_in, connected):
    with app.app_context():
        account = CalendarAccount.get_by_id(connected.id)
        account.last_synced_at = utcnow() - timedelta(minutes=7)
        account.save()
        health.mark_error(account, "iCloud answered 500.")
    card = logged_in.get(f"{BASE}/accounts/{connected.id}", headers=htmx(logged_in)).get_data(as_text=True)
    assert "Last synced 7 min ago" in card
    assert ">Error<" in card and "Last error: iCloud answered 500." in card
    with app.app_context():
        health.mark_ok(CalendarAccount.get_by_id(connected.id))
    card = logged_in.get(f"{BASE}/accounts/{connected.id}", headers=htmx(logged_in)).get_data(as_text=True)
    assert ">Connected<" in card and "Last error" not in card


def test_needs_reconnect_banner_shows_on_every_page_until_reconnected(app, icloud, logged_in, connected):
    with app.app_context():
        health.mark_needs_reconnect(CalendarAccount.get_by_id(connected.id), "Apple refused the password.")
    for path in ("/", BASE, "/settings/profile/calendar-configuration"):
        page = logged_in.get(path).get_data(as_text=True)
        assert "needs to be reconnected" in page and ADA_APPLE_ID in page, path
    assert "Needs reconnect" in logged_in.get(BASE).get_data(as_text=True)
    logged_in.post(f"{BASE}/accounts/{connected.id}/reconnect", data={"password": APP_PASSWORD},
                   headers=htmx(logged_in))
    assert "needs to be reconnected" not in logged_in.get("/").get_data(as_text=True)


def test_last_synced_words():
    now = utcnow()
    assert accounts.last_synced_words(None, now) == "Not synced yet"
    assert accounts.last_synced_words(now - timedelta(seconds=20), now) == "Last synced just now"
    assert accounts.last_synced_words(now - timedelta(minutes=12), now) == "Last synced 12 min ago"
    assert accounts.last_synced_words(now - timedelta(hours=3), now) == "Last synced 3 h ago"


def test_disconnect_removes_account_calendars_objects_and_icloud_blocked_slots(app, logged_in, connected, user):
    from webapp.db import database

    with app.app_context():
        if isinstance(database.obj, SqliteDatabase):  # PostgreSQL always enforces foreign keys
            assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        owner = User.get_by_id(user.id)
        work = RemoteCalendar.get(RemoteCalendar.name == "Work")
        work.role = RemoteCalendar.PRIMARY
        work.save()
        home = RemoteCalendar.get(RemoteCalendar.name == "Home")
        home.role = RemoteCalendar.CONFLICT
        home.save()
        obj = RemoteObject.create(calendar=home, href="/x/1.ics", etag='"1"', uid="1")
        start = utcnow()
        BlockedSlot.create(owner=owner, source=BlockedSlot.ICLOUD, remote_calendar=home, remote_object=obj,
                           start_utc=start, end_utc=start + timedelta(hours=1))
        BlockedSlot.create(owner=owner, source=BlockedSlot.MANUAL, start_utc=start, end_utc=start + timedelta(hours=1))
        appointment = Appointment.create(owner=owner, start_utc=start, end_utc=start + timedelta(minutes=30),
                                         remote_calendar=work, push_state=Appointment.PUSH_SYNCED)
    response = logged_in.post(f"{BASE}/accounts/{connected.id}/disconnect", headers=htmx(logged_in))
    assert response.status_code == 200
    assert ADA_APPLE_ID not in response.get_data(as_text=True)
    with app.app_context():
        assert not CalendarAccount.select().exists()
        assert not RemoteCalendar.select().exists()
        assert not RemoteObject.select().exists()
        assert [b.source for b in BlockedSlot.select()] == [BlockedSlot.MANUAL]
        kept = Appointment.get_by_id(appointment.id)
        assert kept.remote_calendar_id is None
        assert calendar_roles.primary_calendar(owner) is None and calendar_roles.conflict_calendars(owner) == []


def test_accounts_api_lists_accounts_with_calendar_roles(app, logged_in, connected):
    with app.app_context():
        RemoteCalendar.update(role=RemoteCalendar.CONFLICT).where(RemoteCalendar.name == "Home").execute()
    body = logged_in.get("/api/v1/accounts").json
    assert len(body) == 1
    account = body[0]
    assert set(account) == {"id", "email", "status", "last_synced_at", "calendars"}
    assert account["email"] == ADA_APPLE_ID and account["status"] == "connected"
    assert account["last_synced_at"].endswith("+00:00")  # the first sync ran on connect
    roles = {c["name"]: (c["role"], c["color"]) for c in account["calendars"]}
    assert roles == {"Home": ("conflict", "#FF2968"), "Work": (None, "#1BADF8")}
    assert "password" not in str(body).lower()


def test_user_b_cannot_see_or_use_user_a_account(app, make_user, auth, client, connected):
    make_user("bob@example.com")
    client.post("/logout", headers={"X-CSRFToken": auth.csrf_token()})
    auth.login("bob@example.com")
    client.csrf = auth.csrf_token()
    headers = htmx(client)
    assert ADA_APPLE_ID not in client.get(BASE).get_data(as_text=True)
    assert client.get("/api/v1/accounts").json == []
    assert client.get(f"{BASE}/accounts/{connected.id}", headers=headers).status_code == 404
    assert client.get(f"{BASE}/accounts/{connected.id}/reconnect", headers=headers).status_code == 404
    assert client.post(f"{BASE}/accounts/{connected.id}/reconnect", data={"password": APP_PASSWORD},
                       headers=headers).status_code == 404
    assert client.post(f"{BASE}/accounts/{connected.id}/sync", headers=headers).status_code == 404
    assert client.post(f"{BASE}/accounts/{connected.id}/disconnect", headers=headers).status_code == 404
    with app.app_context():
        assert CalendarAccount.get_by_id(connected.id).owner.email == "ada@example.com"


def test_connect_and_reconnect_ask_for_a_first_sync(app, icloud, logged_in, post_connect):
    runs = SyncRuns(app)
    post_connect()
    with app.app_context():
        account_id = CalendarAccount.get().id
    assert runs.take() == [account_id]
    logged_in.post(f"{BASE}/accounts/{account_id}/reconnect", data={"password": APP_PASSWORD},
                   headers=htmx(logged_in))
    assert runs.take() == [account_id]


@pytest.mark.parametrize("path", ["/accounts/99999999999999999999999", "/accounts/0/reconnect"])
def test_absurd_account_ids_are_404_not_500(logged_in, path):
    assert logged_in.get(BASE + path, headers=htmx(logged_in)).status_code == 404
