"""In a real Chromium: the sync-health panel on the account card, refreshed by Sync now in place."""
from __future__ import annotations

import re

import niquests
import pytest
from playwright.sync_api import expect

from .conftest import ICLOUD_USER

pytestmark = pytest.mark.browser


def away(send, method, url, *args, **kwargs):
    raise niquests.exceptions.ConnectionError("injected: the server is away")


def test_the_health_panel_shows_each_read_calendar_and_follows_sync_now(app, calendars, browser_login, live_server,
                                                                        day):
    page = browser_login
    page.goto(live_server.url + "/settings/profile/integrations")
    panel = page.get_by_role("table", name=f"Sync health of {ICLOUD_USER}")
    expect(panel).to_be_visible()
    work = panel.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Work", exact=True))
    expect(work.get_by_role("cell")).to_have_text(["just now", "0", "1", "none", re.compile(r"^(now|in .+)$")])
    expect(panel.get_by_role("rowheader", name="Home", exact=True)).to_be_visible()
    expect(panel.get_by_role("rowheader", name="Other", exact=True)).to_have_count(0)  # not read

    calendars.put_busy(day, 10)
    card = page.get_by_role("article", name=f"iCloud account {ICLOUD_USER}")
    card.get_by_role("button", name="Sync now").click()
    expect(work.get_by_role("cell").nth(1)).to_have_text("1")  # events mirrored
    expect(work.get_by_role("cell").nth(2)).to_have_text("2")  # sync-collection + multiget

    app.config["CALDAV_REQUEST_HOOK"] = away
    card.get_by_role("button", name="Sync now").click()
    expect(work.get_by_role("cell").nth(3)).to_contain_text("could not be reached")
    expect(work.get_by_role("cell").nth(0)).to_have_text("just now")  # the last success stays
