"""In a real Chromium: sign in through the form and walk Settings → My Profile → Integrations, as the help article does."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_sign_in_and_walk_to_integrations(browser_login, live_server):
    page = browser_login
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Calendar")).to_be_visible()
    nav.get_by_role("link", name="Settings").click()
    settings = page.get_by_role("navigation", name="Settings")
    expect(settings.get_by_role("link")).to_have_text(["My Profile", "Event types", "Notifications", "Team", "Teams"])
    settings.get_by_role("link", name="My Profile").click()
    expect(page.get_by_role("heading", name="My Profile")).to_be_visible()
    tabs = page.get_by_role("navigation", name="My Profile")
    tabs.get_by_role("link", name="Integrations").click()
    expect(page).to_have_url(live_server.url + "/settings/profile/integrations")
    expect(page.get_by_role("heading", name="Integrations")).to_be_visible()
    tabs.get_by_role("link", name="Calendar Configuration").click()
    expect(page.get_by_role("heading", name="Calendar Configuration")).to_be_visible()
