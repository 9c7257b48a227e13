""""Why is this time busy?" in the real browser: a click on free time, a Blocked Slot's button and the
keyboard form each show the explanation in words in the side panel; the travel band and a slot that
does not block are drawn (Playwright on Debian's Chromium, against a live server)."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser_steps import explain_time
from tests.explain.conftest import next_monday, utc


def test_the_week_view_explains_free_and_busy_times(browser_login, live_server, mirror):
    page = browser_login
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    day = next_monday()
    mirror.slot(utc(day, 12), utc(day, 13), title="Lunch with Grace", travel_minutes=30)
    mirror.slot(utc(day, 15), utc(day, 16), title="Board review", tentative=True)
    mirror.set(tentative_blocks=False)
    page.goto(f"{live_server.url}/?week={day}")

    # a click on free time at 10:00 (the column's y scale: 24 hours)
    column = page.locator(f'.cal-day[data-date="{day}"]')
    column.scroll_into_view_if_needed()
    height = column.bounding_box()["height"]
    page.locator(".cal-scroll").evaluate(f"el => el.scrollTop = {height / 24 * 9}")
    column.click(position={"x": 5, "y": height / 24 * 10 + 2})
    panel = page.locator("#details")
    expect(panel.locator(".cal-verdict")).to_contain_text("Offered")
    expect(panel.get_by_role("heading")).to_contain_text("10:00")
    expect(panel.locator(".cal-reasons")).to_contain_text("Working hours on Mondays: 09:00–17:00")

    # the keyboard way: the labelled form, about the travel time before lunch
    explain_time(page, day, "11:30")
    expect(panel.locator(".cal-verdict")).to_contain_text("Not offered")
    expect(panel.locator(".cal-reasons .prevents")).to_contain_text(
        "“Lunch with Grace” (Home), 12:00–13:00, its travel time of 30 minutes, from 11:30, overlaps this time")

    # a Blocked Slot that does not block, then its own explanation
    review = page.locator(".cal-item", has_text="Board review")
    expect(review).to_have_attribute("title", "Board review: does not block: the calendar's rule for unanswered "
                                              "invitations is off")
    expect(page.locator(".cal-travel")).to_have_count(1)
    review.click()
    expect(panel.locator(".cal-detail")).to_contain_text("does not block")
    panel.get_by_role("button", name="Why is this time busy?").click()
    expect(panel.locator(".cal-verdict")).to_contain_text("Offered")
    expect(panel.locator(".cal-reasons")).to_contain_text("“Board review” (Home) does not block")
    assert refused == []
