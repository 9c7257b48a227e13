"""FAIL_CLOSED_AFTER_MINUTES: while a calendar that blocks time has not synced for that long, the public
pages offer no times and refuse bookings, and the owner sees which calendar keeps them closed."""
from __future__ import annotations

from datetime import timedelta

import niquests
import pytest

from webapp.models import Appointment, RemoteCalendar, utcnow
from webapp.sync import sync_account_now

from .conftest import at, csrf_of

HX = {"HX-Request": "true"}


def away(send, method, url, *args, **kwargs):
    raise niquests.exceptions.ConnectionError("injected: the server is away")


def _age(app, name: str, minutes: int) -> None:
    with app.app_context():
        RemoteCalendar.update(last_success_at=utcnow() - timedelta(minutes=minutes)).where(
            RemoteCalendar.name == name).execute()


def _public(client, owner, day) -> tuple[str, str, str]:
    slug = owner.booking_slug
    page = client.get(f"/book/{slug}").get_data(as_text=True)
    month = client.get(f"/book/{slug}/month?month={day:%Y-%m}&tz=Europe/Berlin", headers=HX).get_data(as_text=True)
    slots = client.get(f"/book/{slug}/slots?date={day}&tz=Europe/Berlin", headers=HX).get_data(as_text=True)
    return page, month, slots


def _book(client, owner, day):
    slug = owner.booking_slug
    return client.post(f"/book/{slug}", headers=HX,
                       data={"start": at(day, 10).isoformat(), "tz": "Europe/Berlin", "name": "Grace",
                             "email": "grace@example.com", "csrf_token": csrf_of(client, slug)})


@pytest.fixture
def closing(app):
    app.config["FAIL_CLOSED_AFTER_MINUTES"] = 30


def test_a_stale_calendar_closes_the_public_pages(app, closing, calendars, client, owner, day):
    _age(app, "Work", 45)
    # The check before the booking fails too (the server is away), so Work stays stale.
    app.config["CALDAV_REQUEST_HOOK"] = away
    page, month, slots = _public(client, owner, day)
    assert "temporarily unavailable" in page and 'id="month"' not in page
    assert "data-date=" not in month  # no day is a button
    assert "booking-slot" not in slots
    response = _book(client, owner, day)
    assert response.status_code == 422 and "temporarily unavailable" in response.get_data(as_text=True)
    with app.app_context():
        assert Appointment.select().count() == 0


def test_the_owner_sees_which_calendar_keeps_the_pages_closed(app, closing, calendars, owner_client):
    _age(app, "Work", 45)
    for url in ("/", "/settings/profile/integrations"):
        html = owner_client.get(url).get_data(as_text=True)
        banner = html.split('id="booking-closed"', 1)[1].split("</div>", 1)[0]
        assert "<strong>Work</strong>" in banner and "Home" not in banner and "30 minutes" in banner


def test_a_successful_sync_opens_the_pages_again(app, closing, calendars, client, owner, owner_client, day):
    _age(app, "Work", 45)
    assert "temporarily unavailable" in _public(client, owner, day)[0]
    with app.app_context():
        sync_account_now(calendars.account_id)
    page, month, slots = _public(client, owner, day)
    assert "temporarily unavailable" not in page and "data-date=" in month and "booking-slot" in slots
    assert 'id="booking-closed"' not in owner_client.get("/").get_data(as_text=True)


def test_the_check_before_a_booking_can_reopen_a_stale_calendar(app, closing, calendars, client, owner, day):
    """The calendar is stale, but the server answers the check: the booking goes through."""
    _age(app, "Work", 45)
    response = _book(client, owner, day)
    assert response.headers.get("HX-Redirect")


def test_off_by_default(app, calendars, client, owner, owner_client, day):
    assert app.config["FAIL_CLOSED_AFTER_MINUTES"] is None
    _age(app, "Work", 60 * 24 * 30)
    page, _, slots = _public(client, owner, day)
    assert "temporarily unavailable" not in page and "booking-slot" in slots
    assert 'id="booking-closed"' not in owner_client.get("/").get_data(as_text=True)


def test_a_calendar_never_synced_counts_from_when_it_was_added(app, closing, owner, client, make_account, day):
    make_account(owner, "ada@icloud.example", calendars={"http://127.0.0.1:9/cal/": ("Work", "conflict")})
    assert "temporarily unavailable" not in _public(client, owner, day)[0]
    with app.app_context():
        RemoteCalendar.update(created_at=utcnow() - timedelta(minutes=31)).execute()
    assert "temporarily unavailable" in _public(client, owner, day)[0]
