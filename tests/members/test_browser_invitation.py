"""In a real Chromium: an admin invites a member on Settings → Team, the e-mail arrives at a real SMTP
server (aiosmtpd), the member opens its link, sets a password, and is signed in."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from webapp.models import Team, TeamMember, User

from .conftest import accept_link

pytestmark = pytest.mark.browser


def test_an_admin_invites_and_the_member_signs_in_through_the_emailed_link(app, admin, browser_login, live_server,
                                                                            smtp, new_context):
    app.config["PUBLIC_URL"] = live_server.url  # the link in the e-mail leads to this server
    with app.app_context():
        Team.create(name="Support", slug="support", created_by=admin)
    page = browser_login
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Team", exact=True).click()
    expect(page.get_by_role("heading", name="Team", exact=True)).to_be_visible()
    page.get_by_label("E-mail").fill("grace@example.com")
    page.get_by_label("Team").select_option(label="Support")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to grace@example.com.")).to_be_visible()
    invitations = page.locator("table.team-invitations")
    expect(invitations.get_by_role("cell", name="grace@example.com", exact=True)).to_be_visible()  # the list reloaded

    (message,) = smtp.wait_for(1)
    assert message["To"] == "grace@example.com"
    link = accept_link(message)
    assert link.startswith(live_server.url + "/invitation/")

    member = new_context(timezone_id="Europe/Berlin").new_page()
    member.goto(link)
    expect(member.get_by_role("heading", name="Join Slotwise")).to_be_visible()
    expect(member.get_by_text("into the team Support")).to_be_visible()
    member.get_by_label("Name").fill("Grace Hopper")
    expect(member.get_by_label("Time zone")).to_have_value("Europe/Berlin")  # the browser's zone
    member.get_by_label("Password").fill("a long password")
    member.get_by_role("button", name="Create my account").click()
    expect(member.get_by_text("Welcome to Slotwise. You are in the team Support.")).to_be_visible()
    expect(member).to_have_url(live_server.url + "/settings/profile/integrations")
    member.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    member.get_by_role("navigation", name="Settings").get_by_role("link", name="Team", exact=True).click()
    expect(member.get_by_role("cell", name="Grace Hopper (you)", exact=True)).to_be_visible()
    expect(member.get_by_role("button", name="Send invitation")).to_have_count(0)  # not an admin

    with app.app_context():
        grace = User.by_email("grace@example.com")
        assert grace.timezone == "Europe/Berlin" and not grace.is_admin
        assert TeamMember.select().where(TeamMember.user == grace).count() == 1
    page.reload()
    expect(page.locator("table.team-members").get_by_role("cell", name="grace@example.com", exact=True)).to_be_visible()
    expect(page.get_by_text("No invitation is waiting.")).to_be_visible()
