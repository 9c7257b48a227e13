"""Connecting an iCloud account through the Integrations tab, against the real CalDAV rig."""
from __future__ import annotations

import base64
import logging
from urllib.parse import unquote

import pytest

from tests.conftest import APP_PASSWORD
from tests.connect.conftest import ADA_APPLE_ID, htmx
from webapp.crypto import decrypt
from webapp.models import CalendarAccount, RemoteCalendar

CONNECT = "/settings/profile/integrations/icloud/connect"


def nothing_saved(app) -> bool:
    with app.app_context():
        return not CalendarAccount.select().exists() and not RemoteCalendar.select().exists()


def test_integrations_tab_shows_the_icloud_card_with_connect(logged_in):
    page = logged_in.get("/settings/profile/integrations").get_data(as_text=True)
    assert "iCloud Calendar" in page
    assert ">Connect</button>" in page
    assert "profile.css" in page


def test_connect_form_has_the_labels_and_step_one_instructions(logged_in):
    form = logged_in.get(CONNECT, headers=htmx(logged_in)).get_data(as_text=True)
    assert "<html" not in form  # a fragment, swapped in place
    for words in ("iCloud Email Address", "App-specific password", "https://appleid.apple.com/",
                  "two-factor authentication", "App-Specific Passwords", "Generate Password", "Copy the generated"):
        assert words in form


def test_good_password_lists_event_calendars_and_stores_the_account(app, icloud, post_connect, user):
    response = post_connect(ADA_APPLE_ID.upper(), "ABCD EFGH IJKL MNOP")
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#icloud-calendar"
    card = response.get_data(as_text=True)
    assert ADA_APPLE_ID in card and "Connected" in card and "Last synced just now" in card
    assert "Home" in card and "Work" in card and "Reminders" not in card  # task lists are skipped
    assert 'data-color="#FF2968"' in card  # the colour swatch (painted by app.js: no style attributes)
    with app.app_context():
        account = CalendarAccount.get()
        assert account.owner_id == user.id and account.email == ADA_APPLE_ID
        assert account.status == CalendarAccount.CONNECTED
        assert decrypt(account.password_encrypted) == APP_PASSWORD  # stored normalised
        cals = {c.name: c for c in account.calendars}
        assert set(cals) == {"Home", "Work"}
        assert unquote(cals["Home"].url) == icloud.calendar_url(ADA_APPLE_ID, "home")
        assert cals["Home"].color == "#FF2968" and cals["Home"].ctag
        assert cals["Home"].sync_token is None and cals["Home"].role == RemoteCalendar.NONE


def test_wrong_password_shows_apples_refusal_and_saves_nothing(app, icloud, post_connect):
    response = post_connect(password="wxyz-wxyz-wxyz-wxyz")
    assert response.status_code == 422
    form = response.get_data(as_text=True)
    assert "Apple did not accept this e-mail and app-specific password" in form
    assert "not your Apple ID password" in form and "https://appleid.apple.com/" in form
    assert "revoked all your app-specific passwords" in form
    assert "wxyz" not in form  # the password is never sent back
    assert ADA_APPLE_ID in form  # the e-mail is kept
    assert nothing_saved(app)


def test_stopped_server_shows_unreachable_and_saves_nothing(app, icloud, post_connect):
    icloud.stop()
    response = post_connect()
    assert response.status_code == 422
    assert "iCloud could not be reached" in response.get_data(as_text=True)
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert nothing_saved(app)


@pytest.mark.parametrize("password", ["my Apple ID pw", "abcd-efgh-ijkl", "abcd-efgh-ijkl-mno1", ""])
def test_password_not_shaped_like_an_app_password_is_explained(app, icloud, post_connect, password):
    icloud.reset_counts()
    response = post_connect(password=password)
    assert response.status_code == 422
    form = response.get_data(as_text=True)
    assert "Apple requires an app-specific password" in form and "not your Apple ID password" in form
    assert 'href="https://appleid.apple.com/"' in form
    assert icloud.request_count == 0  # refused before asking Apple
    assert nothing_saved(app)


@pytest.mark.parametrize("email", ["", "ada", "ada@", "ada@icloud", "a b@icloud.com"])
def test_not_an_email_is_refused_next_to_the_field(app, icloud, post_connect, email):
    response = post_connect(email=email)
    assert response.status_code == 422
    assert 'id="icloud-email-error"' in response.get_data(as_text=True)
    assert nothing_saved(app)


def test_account_without_event_calendars_says_so(app, caldav_server, post_connect):
    caldav_server.add_user(ADA_APPLE_ID, APP_PASSWORD)
    caldav_server.make_calendar(ADA_APPLE_ID, "todo", name="Reminders", components=("VTODO",))
    response = post_connect()
    assert response.status_code == 422
    assert "no calendars with events" in response.get_data(as_text=True)
    assert nothing_saved(app)


def test_same_apple_id_twice_updates_the_one_account_and_keeps_roles(app, icloud, post_connect):
    assert post_connect().status_code == 200
    with app.app_context():
        RemoteCalendar.update(role=RemoteCalendar.PRIMARY).where(RemoteCalendar.name == "Work").execute()
    icloud.make_calendar(ADA_APPLE_ID, "family", name="Family", color="#00FF00")
    icloud.add_user(ADA_APPLE_ID, "qrst-uvwx-yzab-cdef")  # a new app-specific password
    assert post_connect(password="qrstuvwxyzabcdef").status_code == 200
    with app.app_context():
        assert CalendarAccount.select().count() == 1
        account = CalendarAccount.get()
        assert decrypt(account.password_encrypted) == "qrst-uvwx-yzab-cdef"
        roles = {c.name: c.role for c in account.calendars}
        assert roles == {"Home": "none", "Work": "primary", "Family": "none"}


def test_several_apple_ids_make_several_accounts(app, icloud, post_connect):
    icloud.add_user("ada.work@icloud.example", APP_PASSWORD)
    icloud.make_calendar("ada.work@icloud.example", "office", name="Office")
    assert post_connect().status_code == 200
    response = post_connect(email="ada.work@icloud.example")
    assert ADA_APPLE_ID in response.get_data(as_text=True)
    assert "ada.work@icloud.example" in response.get_data(as_text=True)
    with app.app_context():
        assert CalendarAccount.select().count() == 2


def test_password_never_reaches_the_logs(app, icloud, post_connect, caplog):
    caplog.set_level(logging.DEBUG)
    post_connect(password="ABCDEFGHIJKLMNOP")
    post_connect(password="wxyz-wxyz-wxyz-wxyz")
    text = caplog.text.lower()
    basic = base64.b64encode(f"{ADA_APPLE_ID}:{APP_PASSWORD}".encode()).decode().lower()
    for secret in ("abcdefghijklmnop", APP_PASSWORD, "wxyzwxyzwxyzwxyz", "wxyz-wxyz-wxyz-wxyz", basic):
        assert secret not in text
    assert caplog.records  # something was logged, so the check means something


@pytest.mark.sqlite_only
def test_database_file_holds_no_trace_of_the_password(app, app_config, icloud, post_connect):
    assert post_connect(password="ABCD-EFGH-IJKL-MNOP").status_code == 200
    from webapp.db import database

    database.close()
    path = app_config["DATABASE_URL"].removeprefix("sqlite:///")
    raw = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            with open(path + suffix, "rb") as fh:
                raw += fh.read()
        except FileNotFoundError:
            continue
    assert ADA_APPLE_ID.encode() in raw  # the file really holds the account
    lowered = raw.lower()
    for form in (b"abcd-efgh-ijkl-mnop", b"abcdefghijklmnop", b"abcd efgh ijkl mnop"):
        assert form not in lowered


def test_connect_needs_csrf(logged_in, icloud, app):
    response = logged_in.post(CONNECT, data={"email": ADA_APPLE_ID, "password": APP_PASSWORD},
                              headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert nothing_saved(app)
