"""In a real Chromium: a visitor books through /book/<slug>, then the owner sees it in the week view."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser_steps import open_booking_day
from webapp.models import Appointment

from .conftest import at

pytestmark = pytest.mark.browser
NEW_YORK = ZoneInfo("America/New_York")


def test_visitor_books_and_owner_sees_it_in_the_week(app, owner, day, new_context, browser_login, live_server):
    # the visitor is in New York; the page detects it and shows New York times
    visitor = new_context(timezone_id="America/New_York").new_page()
    visitor.goto(f"{live_server.url}/book/{owner.booking_slug}")
    expect(visitor.get_by_role("heading", name="Book a time with")).to_be_visible()
    expect(visitor.locator("#tz")).to_have_value("America/New_York")
    open_booking_day(visitor, day)  # the chosen day may be in next month
    start_ny = at(day, 10).astimezone(NEW_YORK)
    expect(visitor.get_by_role("button", name=f"{start_ny:%H:%M}", exact=True)).to_be_visible()

    # switching the zone shows the same day's times in that zone
    visitor.locator("#tz").select_option("Asia/Tokyo")
    expect(visitor.locator("#slots")).to_be_empty()
    expect(visitor.get_by_text("Days and times in Asia/Tokyo.")).to_be_visible()
    visitor.locator("#tz").select_option("America/New_York")
    expect(visitor.get_by_text("Days and times in America/New_York.")).to_be_visible()
    visitor.locator(f'button.booking-day[data-date="{day}"]').click()
    visitor.get_by_role("button", name=f"{start_ny:%H:%M}", exact=True).click()
    expect(visitor.get_by_text("10:00 for")).to_be_visible()  # the owner's time is named too
    visitor.get_by_label("Your name").fill("Grace Hopper")
    visitor.get_by_label("Your e-mail").fill("grace@example.com")
    visitor.get_by_role("button", name="Confirm booking").click()
    expect(visitor.get_by_role("heading", name="You are booked")).to_be_visible()
    expect(visitor.get_by_text(f"{start_ny:%H:%M}", exact=False).first).to_be_visible()
    with app.app_context():
        assert Appointment.select().count() == 1

    # the owner (signed in by browser_login) opens the calendar and moves to that week by HTMX
    page = browser_login
    page.goto(f"{live_server.url}/")
    page.evaluate("window.__noReload = true")
    expect(page.get_by_text("Times in Europe/Berlin")).to_be_visible()
    for _ in range(4):
        if page.locator(f'#week[data-week="{day}"]').count():
            break
        page.get_by_role("button", name="Next week").click()
        page.wait_for_timeout(300)
    expect(page.locator(f'#week[data-week="{day}"]')).to_be_visible()
    assert page.evaluate("window.__noReload") is True  # moved without a full reload
    item = page.locator(".cal-appointment", has_text="Grace Hopper")
    expect(item).to_contain_text("10:00–10:30")
    item.click()
    details = page.locator("#details")
    expect(details).to_contain_text("Appointment with Grace Hopper")
    expect(details).to_contain_text("grace@example.com")


def test_owner_creates_an_appointment_and_a_blocked_slot_in_the_browser(owner, day, browser_login, live_server):
    page = browser_login
    page.goto(f"{live_server.url}/?week={day}")
    page.get_by_role("button", name="New appointment").click()
    expect(page.get_by_role("button", name="Book appointment")).to_be_visible()  # the form replaced the panel
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Start").fill("11:00")
    page.get_by_label("Duration (minutes)").fill("60")
    page.get_by_label("Contact name").fill("Ada")
    page.get_by_label("Contact e-mail").fill("ada@example.com")
    page.get_by_role("button", name="Book appointment").click()
    expect(page.locator("#details")).to_contain_text("Appointment booked.")
    expect(page.locator(".cal-appointment", has_text="Ada")).to_contain_text("11:00–12:00")  # week reloaded

    # the same time again: the form comes back with the message next to the start
    page.get_by_role("button", name="New appointment").click()
    expect(page.get_by_role("button", name="Book appointment")).to_be_visible()  # the form replaced the panel
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Start").fill("11:30")
    page.get_by_label("Contact name").fill("Bob")
    page.get_by_label("Contact e-mail").fill("bob@example.com")
    page.get_by_role("button", name="Book appointment").click()
    expect(page.locator("#start-error")).to_contain_text("not free")
    expect(page.get_by_label("Contact name")).to_have_value("Bob")

    page.get_by_role("button", name="New Blocked Slot").click()
    page.get_by_label("Start").fill(f"{day}T13:00")
    page.get_by_label("End").fill(f"{day}T14:00")
    page.get_by_label("Title").fill("Focus time")
    page.get_by_role("button", name="Add Blocked Slot").click()
    expect(page.locator(".cal-blocked", has_text="Focus time")).to_be_visible()
    page.locator(".cal-blocked", has_text="Focus time").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete Blocked Slot").click()
    expect(page.locator("#details")).to_contain_text("Blocked Slot deleted.")
    expect(page.locator(".cal-blocked", has_text="Focus time")).to_have_count(0)
