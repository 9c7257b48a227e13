"""In a real Chromium: book, get the e-mail, reschedule through its link, cancel through its link; iCloud
(a real Radicale) follows every step and the owner is told three times."""
from __future__ import annotations


import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from tests.browser_steps import open_booking_day
from tests.conftest import APP_PASSWORD
from webapp.times import naive_utc
from webapp.models import Appointment

from .conftest import at, link, parts

pytestmark = pytest.mark.browser
APPLE_ID = "ada@icloud.example"


@pytest.fixture
def app_config(app_config: dict, radicale) -> dict:
    app_config["ICLOUD_CALDAV_URL"] = radicale.url
    return app_config


def _events(radicale) -> list:
    events = []
    for text in radicale.objects(APPLE_ID, "home").values():
        events.extend(e for e in Calendar.from_ical(text).walk("VEVENT") if "@slotwise" in str(e["UID"]))
    return events


def _on_page(page, live_server, url: str) -> None:
    assert url.startswith(live_server.url)  # every link is built from PUBLIC_URL
    page.goto(url)


def test_book_then_reschedule_and_cancel_through_the_email_links(app, owner, day, smtp, radicale, make_account,
                                                                 live_server, new_context):
    radicale.add_user(APPLE_ID, APP_PASSWORD)
    home = radicale.make_calendar(APPLE_ID, "home", "Home")
    make_account(owner, APPLE_ID, calendars={home: ("Home", "primary")})
    app.config["PUBLIC_URL"] = live_server.url

    visitor = new_context(timezone_id="Europe/Berlin").new_page()
    visitor.goto(f"{live_server.url}/book/{owner.booking_slug}")
    open_booking_day(visitor, day)  # the chosen day may be in next month
    visitor.get_by_role("button", name="10:00", exact=True).click()
    visitor.get_by_label("Your name").fill("Grace Hopper")
    visitor.get_by_label("Your e-mail").fill("grace@example.com")
    visitor.get_by_label("Note for").fill("About the compiler")
    visitor.get_by_role("button", name="Confirm booking").click()
    expect(visitor.get_by_role("heading", name="You are booked")).to_be_visible()
    expect(visitor.get_by_role("link", name="Reschedule")).to_be_visible()

    booked = smtp.wait_for(2)
    first = [m for m in booked if "grace@example.com" in m["To"]][0]
    text = parts(first)[0]
    assert [e.decoded("DTSTART") for e in _events(radicale)] == [at(day, 10)]

    # the Reschedule link: a new time on the same day
    _on_page(visitor, live_server, link(text, "Reschedule"))
    expect(visitor.get_by_role("heading", name="Reschedule your booking")).to_be_visible()
    visitor.get_by_role("button", name="14:00", exact=True).click()
    expect(visitor.get_by_text("Your appointment was moved")).to_be_visible()
    moved = [m for m in smtp.wait_for(4) if "grace@example.com" in m["To"]]
    assert len(moved) == 2 and moved[1]["Subject"].strip().startswith("Moved: ")
    _, _, ics = parts(moved[1])
    assert ics.walk("VEVENT")[0].decoded("DTSTART") == at(day, 14)
    events = _events(radicale)
    assert [(e.decoded("DTSTART"), e.decoded("DTEND")) for e in events] == [(at(day, 14), at(day, 14, 30))]
    assert "ATTENDEE" not in events[0] and "ORGANIZER" not in events[0]  # iCloud sends no invitation itself
    with app.app_context():
        assert Appointment.get().start_utc == naive_utc(at(day, 14))

    # the Cancel link: asks first, then cancels
    _on_page(visitor, live_server, link(parts(moved[1])[0], "Cancel"))
    expect(visitor.get_by_role("heading", name="Cancel your booking?")).to_be_visible()
    visitor.get_by_label("Reason for").fill("Something came up")
    visitor.get_by_role("button", name="Cancel appointment").click()
    expect(visitor.get_by_text("Your appointment is cancelled.")).to_be_visible()
    messages = smtp.wait_for(6)
    with app.app_context():
        assert Appointment.get().status == Appointment.CANCELLED
    assert _events(radicale) == []
    to_owner = [m for m in messages if owner.email in m["To"]]
    assert len(to_owner) == 3
    assert [m["Subject"].strip().split(" ")[0] for m in to_owner] == ["New", "Grace", "Grace"]
    assert "Reason: Something came up" in parts(to_owner[2])[0]
    assert parts([m for m in messages if "grace@example.com" in m["To"]][-1])[2]["METHOD"] == "CANCEL"
