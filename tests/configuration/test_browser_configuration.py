"""In a real Chromium with two connected iCloud accounts: choose a Primary Calendar and Check for Conflicts."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.configuration.conftest import PERSONAL, WORK

pytestmark = pytest.mark.browser


def test_primary_and_conflicts_are_saved_by_htmx_and_survive_a_reload(browser_login, live_server, two_accounts):
    page = browser_login
    page.goto(live_server.url + "/settings/profile/calendar-configuration")
    page.evaluate("window.__marker = 1")
    assert page.evaluate("htmx.config.defaultSettleDelay") == 0  # swapped fragments are live at once

    primary = page.get_by_role("region", name="Primary Calendar")
    primary.get_by_role("button", name="Edit").click()
    primary.get_by_label("Account").select_option(label=WORK)
    calendar = primary.get_by_label("Calendar", exact=True)
    expect(calendar.locator("option")).to_have_text(["Office", "Travel"])  # loaded by HTMX for that account
    calendar.select_option(label="Travel")
    primary.get_by_role("button", name="Save").click()
    expect(primary.get_by_role("button", name="Edit")).to_be_visible()
    expect(primary.get_by_text("Travel", exact=True)).to_be_visible()
    expect(primary.get_by_text(WORK)).to_be_visible()

    conflicts = page.get_by_role("region", name="Check for Conflicts")
    expect(conflicts.get_by_text("Your Primary Calendar, Travel, is read too.")).to_be_visible()  # refreshed
    conflicts.get_by_role("button", name="Edit").click()
    conflicts.get_by_role("group", name=PERSONAL).get_by_label("Gym").check()
    conflicts.get_by_role("group", name=WORK).get_by_label("Office").check()
    conflicts.get_by_role("button", name="Save").click()
    expect(conflicts.get_by_role("button", name="Edit")).to_be_visible()
    expect(conflicts.locator(".chosen li")).to_have_count(2)
    assert page.evaluate("window.__marker") == 1  # all of it without a page load

    page.reload()
    primary = page.get_by_role("region", name="Primary Calendar")
    expect(primary.locator(".chosen li")).to_have_text([f"Travel {WORK}"])
    conflicts = page.get_by_role("region", name="Check for Conflicts")
    expect(conflicts.locator(".chosen li")).to_have_text([f"Office {WORK}", f"Gym {PERSONAL}"])
    expect(conflicts.locator(".chosen .swatch").first).to_have_css("background-color", "rgb(27, 173, 248)")  # #1BADF8
