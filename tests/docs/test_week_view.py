"""The week view reads like a calendar, in a real Chromium under the CSP (no style attributes allowed)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.docs.conftest import PHONE

pytestmark = pytest.mark.browser


def box(locator) -> dict:
    return locator.bounding_box()


def test_week_shows_titles_first_in_their_colour_side_by_side_and_opens_at_working_hours(signed_in):
    page = signed_in
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.reload()
    item = page.locator(".cal-day .cal-item", has_text="Client call: Northwind")
    expect(item.locator("span").first).to_have_text("Client call: Northwind")  # the title first
    expect(item.locator(".cal-label")).to_have_text("Blocked Slot · Work")
    expect(item).to_have_css("border-left-color", "rgb(27, 173, 248)")  # Work's own #1BADF8
    # 14:00–15:00 sits two hours below 12:00 on the same scale as the hour labels
    hour = box(page.locator(".cal-hour").nth(1))["y"] - box(page.locator(".cal-hour").nth(0))["y"]
    lunch_day = page.locator(".cal-day.is-today")
    assert abs(box(item)["y"] - box(lunch_day)["y"] - 14 * hour) < 2
    # the whole day is there, scrolled to the start of working hours (09:00 by default)
    scroller = page.locator(".cal-scroll")
    assert page.locator(".cal-hour").first.text_content() == "00:00"
    assert page.locator(".cal-hour").last.text_content() == "23:00"
    assert abs(scroller.evaluate("s => s.scrollTop") - 9 * hour) < 2
    expect(page.locator(".cal-day.is-today .cal-now")).to_have_count(1)  # the current time
    plus = page.locator(".cal-dayhead.is-today").get_by_role("button")
    expect(plus).to_have_text("+")
    expect(plus).to_have_accessible_name(re.compile(r"^Add an appointment on \w+day \d+ \w+$"))
    assert refused == []


def test_overlapping_items_stand_side_by_side(signed_in, app, showcase):
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from webapp.appointments import create_blocked_slot
    from webapp.models import User

    zone = ZoneInfo("Europe/Berlin")
    day = datetime.now(zone).date() + timedelta(days=1)
    with app.app_context():
        owner = User.get_by_id(showcase.owner.id)
        create_blocked_slot(owner, datetime.combine(day, time(13), zone), datetime.combine(day, time(15), zone), "Overlap A")
        create_blocked_slot(owner, datetime.combine(day, time(14), zone), datetime.combine(day, time(16), zone), "Overlap B")
    page = signed_in
    page.reload()
    a, b = (box(page.locator(".cal-item", has_text=name)) for name in ("Overlap A", "Overlap B"))
    assert a["x"] + a["width"] <= b["x"] + 1 or b["x"] + b["width"] <= a["x"] + 1  # no cover, side by side
    assert a["width"] > 20 and b["width"] > 20


def test_phone_shows_one_day_at_a_time_starting_today(signed_in):
    page = signed_in
    page.set_viewport_size(PHONE)
    page.reload()
    today = page.locator(".cal-dayhead.is-today")
    scroller = box(page.locator(".cal-scroll"))
    head = box(today)
    assert head["x"] >= scroller["x"] and head["x"] + head["width"] <= scroller["x"] + scroller["width"] + 1
    assert head["width"] > scroller["width"] / 2  # a day fills the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no page-wide sideways scroll


def test_a_running_htmx_request_shows_that_it_is_loading(signed_in):
    page = signed_in
    held = []
    page.route(re.compile(r".*/calendar/week\?.*"), lambda route: held.append(route))
    button = page.get_by_role("button", name="Next week")
    button.click()
    expect(button).to_have_class(re.compile(r"\bhtmx-request\b"))
    expect(button).to_have_css("cursor", "progress")  # styled by app.css: htmx's own styles are off (CSP)
    held[0].continue_()
    expect(page.locator("#week")).not_to_have_class(re.compile(r"\bhtmx-request\b"))
