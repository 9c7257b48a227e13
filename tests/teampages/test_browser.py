"""In a real Chromium: a visitor books a collective meeting on /team/<slug>/<type>; both members get it."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser_steps import open_booking_day
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
    expect(visitor.get_by_text("With Ada Lovelace and Bob Kahn.")).to_be_visible()
    visitor.get_by_role("link", name="Kick-off").click()
    expect(visitor.locator("#tz")).to_have_value("Europe/Berlin")
    open_booking_day(visitor, day)
    visitor.get_by_role("button", name="10:00", exact=True).click()
    visitor.get_by_label("Your name").fill("Grace Hopper")
    visitor.get_by_label("Your e-mail").fill("grace@example.com")
    visitor.get_by_role("button", name="Confirm booking").click()
    expect(visitor.get_by_role("heading", name="You are booked")).to_be_visible()
    expect(visitor.get_by_text("You meet Ada Lovelace and Bob Kahn.")).to_be_visible()
    expect(visitor.get_by_text("10:00–10:30")).to_be_visible()
    with app.app_context():
        made = list(Appointment.select())
        assert sorted(a.owner_id for a in made) == sorted([ada.id, bob.id])
        assert {a.start_utc for a in made} == {naive_utc(at(day, 10))} and len({a.booking_group for a in made}) == 1
