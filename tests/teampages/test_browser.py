"""In a real Chromium: a visitor books a collective meeting on /team/<slug>/<type>; both members get it."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser_steps import open_booking_day
from tests.conftest import PASSWORD
from tests.docs.test_accessibility import serious_violations
from webapp.models import Appointment, EventType
from webapp.times import naive_utc

from .conftest import at

pytestmark = pytest.mark.browser


def test_a_visitor_books_a_collective_meeting_on_the_team_page(app, ada, bob, make_type, day, new_context,
                                                                live_server):
    make_type(EventType.COLLECTIVE, title="Kick-off", slug="kick-off")
    visitor = new_context(timezone_id="Europe/Berlin").new_page()
    visitor.goto(f"{live_server.url}/team/sales")
    expect(visitor.get_by_role("heading", name="Book a time with Sales")).to_be_visible()
    expect(visitor.get_by_text("With Ada and Bob.")).to_be_visible()
    report = {"team page": serious_violations(visitor)}
    visitor.get_by_role("link", name="Kick-off").click()
    expect(visitor.locator("#tz")).to_have_value("Europe/Berlin")
    open_booking_day(visitor, day)
    visitor.get_by_role("button", name="10:00", exact=True).click()
    expect(visitor.get_by_label("Your name")).to_be_visible()
    report["booking form"] = serious_violations(visitor)
    visitor.get_by_label("Your name").fill("Grace Hopper")
    visitor.get_by_label("Your e-mail").fill("grace@example.com")
    visitor.get_by_role("button", name="Confirm booking").click()
    expect(visitor.get_by_role("heading", name="You are booked")).to_be_visible()
    expect(visitor.get_by_text("You meet Ada and Bob.")).to_be_visible()
    expect(visitor.get_by_text("10:00–10:30")).to_be_visible()
    assert {name: found for name, found in report.items() if found} == {}
    with app.app_context():
        made = list(Appointment.select())
        assert sorted(a.owner_id for a in made) == sorted([ada.id, bob.id])
        assert {a.start_utc for a in made} == {naive_utc(at(day, 10))} and len({a.booking_group for a in made}) == 1


def test_an_admin_adds_a_team_type_in_settings_and_it_is_offered(app, ada, bob, team, page, live_server):
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail").fill(ada.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/settings/")
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Teams").click()
    page.get_by_role("link", name="Sales").click()
    expect(page.get_by_role("heading", name="Sales")).to_be_visible()
    page.get_by_role("button", name="New team event type").click()
    page.get_by_label("Title").fill("Demo")
    page.get_by_label("Collective: offered only when every chosen member is free").check()
    page.get_by_label("Ada", exact=True).check()
    page.get_by_label("Bob", exact=True).check()
    report = {"team type form": serious_violations(page)}
    page.get_by_role("button", name="Add event type").click()
    expect(page.get_by_text("Demo added.")).to_be_visible()
    expect(page.locator("#team-types")).to_contain_text("Collective: Ada, Bob")  # the list reloaded
    report["team page"] = serious_violations(page)
    assert {name: found for name, found in report.items() if found} == {}
    page.locator("#team-types").get_by_role("link", name="Booking link").click()
    expect(page.get_by_role("heading", name="Book a time with Sales")).to_be_visible()
    expect(page.get_by_text("With Ada and Bob.")).to_be_visible()
