"""In a real Chromium: add a subscribed calendar under Integrations, then choose it under Check for Conflicts."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.feeds.conftest import at, event, feed, monday_in_two_weeks
from webapp.models import BlockedSlot

pytestmark = pytest.mark.browser

DAY = monday_in_two_weeks()


def test_adding_a_subscribed_calendar_and_choosing_it_for_conflicts(app, browser_login, live_server, feed_server):
    feed_server.write("school.ics", feed(event("term@feed", at(DAY, 10), at(DAY, 11), "Parents' evening")))
    page = browser_login
    page.goto(live_server.url + "/settings/profile/integrations")
    section = page.get_by_role("region", name="Subscribed calendar")
    section.get_by_role("button", name="Add").click()
    section.get_by_label("Name").fill("School")
    section.get_by_label("Calendar link (URL)").fill("ftp://nowhere.example/school.ics")
    section.get_by_role("button", name="Add").click()
    expect(section.get_by_text("The address must start with https://, http:// or webcal://.")).to_be_visible()
    expect(section.get_by_label("Calendar link (URL)")).to_have_attribute("aria-invalid", "true")
    section.get_by_label("Calendar link (URL)").fill(feed_server.url("school.ics?token=secret-link"))
    section.get_by_role("button", name="Add").click()
    expect(section.get_by_role("status")).to_contain_text("“School” is added.")
    card = section.get_by_role("article", name="Subscribed calendar School")
    expect(card.get_by_text(f"http://127.0.0.1:{feed_server.port}/…")).to_be_visible()
    expect(card.get_by_text("Not read yet")).to_be_visible()
    assert "secret-link" not in page.content()

    page.goto(live_server.url + "/settings/profile/calendar-configuration")
    primary = page.get_by_role("region", name="Primary Calendar")
    primary.get_by_role("button", name="Edit").click()
    expect(primary.get_by_label("Account").locator("option")).to_have_count(1)  # "None" only: never a feed
    primary.get_by_role("button", name="Cancel").click()
    conflicts = page.get_by_role("region", name="Check for Conflicts")
    conflicts.get_by_role("button", name="Edit").click()
    conflicts.get_by_role("group", name="Subscribed calendar").get_by_label("School").check()
    conflicts.get_by_role("button", name="Save").click()
    expect(conflicts.locator(".chosen li")).to_have_text(["School Subscribed calendar"])
    with app.app_context():
        assert [(b.title, b.source) for b in BlockedSlot.select()] == [("Parents' evening", "subscription")]

    page.goto(live_server.url + "/settings/profile/integrations")
    card = page.get_by_role("article", name="Subscribed calendar School")
    expect(card.get_by_text("Checked for conflicts")).to_be_visible()
    card.get_by_role("button", name="Sync now").click()
    expect(card.get_by_role("status")).to_have_text("Sync finished.")
    assert feed_server.requests_to("school.ics?token=secret-link")[-1].status == 304
    health = card.get_by_role("table", name="Sync health of subscribed calendar School")
    expect(health.get_by_role("row", name="School")).to_contain_text("1")  # one event mirrored, one request
    expect(health.get_by_role("row", name="School")).to_contain_text("none")  # no error
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("article", name="Subscribed calendar School")).to_have_count(0)
    with app.app_context():
        assert BlockedSlot.select().count() == 0
