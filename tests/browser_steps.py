"""Steps a visitor takes in the browser, shared by the booking and self-service tests."""
from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect


def open_booking_day(visitor: Page, day: date) -> None:
    """On the booking page, go to the month holding `day` (at most two months on) and open that day."""
    day_button = visitor.locator(f'button.booking-day[data-date="{day}"]')
    for _ in range(3):
        expect(visitor.locator(".booking-month h2")).to_be_visible()
        if day_button.count():
            break
        visitor.get_by_role("button", name="Next month").click()
        visitor.wait_for_timeout(300)
    day_button.click()


def explain_time(owner: Page, day: date, clock: str) -> None:
    """In the calendar's side panel, ask "Why is this time busy?" about `day` at `clock` (HH:MM), by keyboard."""
    panel = owner.locator("#details")
    panel.get_by_label("Date to check").fill(day.isoformat())
    panel.get_by_label("Time to check").fill(clock)
    panel.get_by_label("Time to check").press("Enter")
    expect(panel.locator(".cal-verdict")).to_be_visible()
