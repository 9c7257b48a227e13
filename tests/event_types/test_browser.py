"""In a real Chromium: the owner adds an event type and closes next Monday; a visitor books the new type."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from webapp.models import Appointment

from .conftest import BERLIN

pytestmark = pytest.mark.browser


def _next_monday():
    today = datetime.now(BERLIN).date()
    return today + timedelta(days=7 - today.weekday())


def _show_month_of(page, day) -> None:
    for _ in range(3):
        expect(page.locator(".booking-month h2")).to_be_visible()
        if page.locator(".booking-month h2", has_text=day.strftime("%B %Y")).count():
            return
        page.get_by_role("button", name="Next month").click()
        page.wait_for_timeout(300)


def test_owner_adds_a_type_and_closes_monday_and_a_visitor_books_it(app, owner, new_context, browser_login,
                                                                      live_server):
    monday = _next_monday()
    page = browser_login
    page.goto(f"{live_server.url}/settings/profile/availability")
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Event types").click()
    expect(page.get_by_role("heading", name="Event types")).to_be_visible()
    page.get_by_role("button", name="New event type").click()
    page.get_by_label("Title").fill("Consultation")
    page.get_by_label("Duration (minutes)").fill("60")
    page.get_by_label("Minimum notice (minutes)").fill("0")
    page.get_by_label("Start times").select_option("60")
    page.get_by_label("Description").fill("An hour to go through your plans.")
    page.get_by_role("button", name="Add event type").click()
    expect(page.get_by_role("status")).to_contain_text("Consultation added.")
    expect(page.locator("#event-types")).to_contain_text("Consultation")  # the list reloaded itself
    page.get_by_role("button", name="Edit Consultation").click()  # Edit loads the form into the editor
    expect(page.locator("#event-type-editor").get_by_label("Title")).to_have_value("Consultation")
    expect(page.locator("#event-types")).to_be_visible()

    # a form with errors comes back next to the field
    page.get_by_role("button", name="New event type").click()
    # the new form has replaced the Edit form before it is filled in
    expect(page.locator("#event-type-editor").get_by_role("heading", name="New event type")).to_be_visible()
    page.get_by_label("Title").fill("Broken")
    page.get_by_label("Link name").fill("consultation")
    page.get_by_role("button", name="Add event type").click()
    expect(page.locator("#slug-error")).to_contain_text("already have an event type")

    page.get_by_role("navigation", name="Settings").get_by_role("link", name="My Profile").click()
    page.get_by_role("navigation", name="My Profile").get_by_role("link", name="Availability").click()
    page.get_by_role("button", name="Add a date override").click()
    page.get_by_label("Date").fill(monday.isoformat())
    expect(page.get_by_label("Closed all day")).to_be_checked()
    page.get_by_role("button", name="Save date override").click()
    expect(page.locator("#date-overrides")).to_contain_text(f"{monday.isoformat()}")
    expect(page.locator("#date-overrides")).to_contain_text("closed")

    # the week view shows the closed Monday as non-working time from top to bottom
    page.goto(f"{live_server.url}/?week={monday}")
    column = page.locator(f'.cal-day[data-date="{monday}"]')
    expect(column.locator(".cal-off")).to_have_count(1)
    assert column.locator(".cal-off").evaluate("e => e.offsetHeight") >= column.evaluate("e => e.offsetHeight") - 1
    tuesday = page.locator(f'.cal-day[data-date="{monday + timedelta(days=1)}"] .cal-off')
    expect(tuesday).to_have_count(2)  # before 09:00 and after 17:00

    visitor = new_context(timezone_id="Europe/Berlin").new_page()
    visitor.goto(f"{live_server.url}/book/{owner.booking_slug}")
    expect(visitor.get_by_role("link", name="Appointment")).to_be_visible()
    visitor.get_by_role("link", name="Consultation").click()
    expect(visitor.get_by_role("heading", name="Consultation")).to_be_visible()
    expect(visitor.get_by_text("An hour to go through your plans.")).to_be_visible()
    expect(visitor.get_by_text("60 minutes.")).to_be_visible()
    _show_month_of(visitor, monday)
    expect(visitor.locator(f'button.booking-day[data-date="{monday}"]')).to_have_count(0)  # Monday offers nothing
    expect(visitor.locator(f'.booking-day.is-closed', has_text=str(monday.day)).first).to_be_visible()
    tuesday_date = monday + timedelta(days=1)
    _show_month_of(visitor, tuesday_date)
    visitor.locator(f'button.booking-day[data-date="{tuesday_date}"]').click()
    expect(visitor.get_by_role("button", name="10:00", exact=True)).to_be_visible()
    expect(visitor.get_by_role("button", name="10:30", exact=True)).to_have_count(0)  # a 60-minute grid
    visitor.get_by_role("button", name="10:00", exact=True).click()
    visitor.get_by_label("Your name").fill("Grace Hopper")
    visitor.get_by_label("Your e-mail").fill("grace@example.com")
    visitor.get_by_role("button", name="Confirm booking").click()
    expect(visitor.get_by_role("heading", name="You are booked")).to_be_visible()
    expect(visitor.get_by_text("Consultation with Grace Hopper")).to_be_visible()
    with app.app_context():
        booked = Appointment.get()
        assert booked.event_type.slug == "consultation"
        assert booked.end_utc - booked.start_utc == timedelta(minutes=60)

    # the Monday slots fragment offers nothing for either type
    for kind in ("consultation", "appointment"):
        visitor.goto(f"{live_server.url}/book/{owner.booking_slug}/slots?date={monday}&type={kind}")
        expect(visitor.get_by_text("No free times left on this day.")).to_be_visible()
