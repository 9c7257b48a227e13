"""In a real Chromium: Integrations → iCloud Calendar → Connect, swapped in by HTMX without a reload."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import APP_PASSWORD
from tests.connect.conftest import ADA_APPLE_ID

pytestmark = pytest.mark.browser


def open_connect_form(page, live_server):
    page.goto(live_server.url + "/settings/profile/integrations")
    page.evaluate("window.__marker = 1")  # survives only if the page is never reloaded
    card = page.get_by_role("region", name="iCloud Calendar")
    card.get_by_role("button", name="Connect", exact=True).click()
    expect(card.get_by_label("iCloud Email Address")).to_be_visible()
    expect(card.get_by_role("link", name="https://appleid.apple.com/")).to_be_visible()
    return card


def test_connect_flow_by_labels_swaps_in_the_connected_account(browser_login, live_server, icloud):
    page = browser_login
    card = open_connect_form(page, live_server)
    card.get_by_label("iCloud Email Address").fill(ADA_APPLE_ID)
    card.get_by_label("App-specific password").fill(APP_PASSWORD.upper())
    card.get_by_role("button", name="Connect", exact=True).click()
    card = page.get_by_role("region", name="iCloud Calendar")
    account = card.get_by_role("article", name=f"iCloud account {ADA_APPLE_ID}")
    expect(account).to_be_visible()
    expect(account.get_by_text("Connected", exact=True)).to_be_visible()
    expect(account.get_by_text("Last synced just now")).to_be_visible()  # first sync on connect
    expect(account.get_by_text("Home", exact=True)).to_be_visible()
    expect(account.get_by_text("Work", exact=True)).to_be_visible()
    for name in ("Reconnect", "Sync now", "Disconnect"):
        expect(account.get_by_role("button", name=name, exact=True)).to_be_enabled()
    assert page.evaluate("window.__marker") == 1
    assert page.url == live_server.url + "/settings/profile/integrations"


def test_connect_with_a_refused_password_shows_the_error_in_place(browser_login, live_server, icloud):
    page = browser_login
    card = open_connect_form(page, live_server)
    card.get_by_label("iCloud Email Address").fill(ADA_APPLE_ID)
    card.get_by_label("App-specific password").fill("wxyz-wxyz-wxyz-wxyz")
    card.get_by_role("button", name="Connect", exact=True).click()
    expect(card.get_by_text("Apple did not accept this e-mail and app-specific password")).to_be_visible()
    expect(card.get_by_label("iCloud Email Address")).to_have_value(ADA_APPLE_ID)
    expect(card.get_by_label("App-specific password")).to_have_value("")
    assert page.evaluate("window.__marker") == 1


def test_disconnect_asks_for_confirmation_then_removes_the_account(browser_login, live_server, icloud):
    page = browser_login
    card = open_connect_form(page, live_server)
    card.get_by_label("iCloud Email Address").fill(ADA_APPLE_ID)
    card.get_by_label("App-specific password").fill(APP_PASSWORD)
    card.get_by_role("button", name="Connect", exact=True).click()
    account = page.get_by_role("article", name=f"iCloud account {ADA_APPLE_ID}")
    expect(account).to_be_visible()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    account.get_by_role("button", name="Disconnect").click()
    expect(account).to_have_count(0)
    assert dialogs and ADA_APPLE_ID in dialogs[0]
    expect(page.get_by_role("region", name="iCloud Calendar").get_by_role("button", name="Connect", exact=True)).to_be_visible()
    assert page.evaluate("window.__marker") == 1
