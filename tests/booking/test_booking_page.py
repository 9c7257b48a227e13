"""The public booking page /book/<slug> through the Flask test client."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from webapp.appointments import create_blocked_slot
from webapp.models import Appointment, Contact

from .conftest import at

UTC = timezone.utc
HX = {"HX-Request": "true"}
NEW_YORK = ZoneInfo("America/New_York")


def csrf_of(client, slug: str) -> str:
    page = client.get(f"/book/{slug}").get_data(as_text=True)
    return page.split('"X-CSRFToken": "', 1)[1].split('"', 1)[0]


def test_unknown_slug_is_a_404_page(client, owner):
    response = client.get("/book/no-such-page")
    assert response.status_code == 404
    assert "no booking page at this address" in response.get_data(as_text=True)


def test_page_names_the_owner_and_their_zone_without_sign_in(client, owner):
    html = client.get(f"/book/{owner.booking_slug}").get_data(as_text=True)
    assert "Book a time with" in html and "Europe/Berlin" in html and 'id="tz"' in html
    assert "data-visitor-zone" in html  # static/app.js picks the visitor's own zone (no inline script)
    assert 'class="sidebar"' not in html and "<script>" not in html


def test_month_marks_days_with_free_times(app, client, owner, day):
    with app.app_context():
        create_blocked_slot(owner, at(day, 0), at(day, 23, 59), "Out")
    html = client.get(f"/book/{owner.booking_slug}/month?month={day:%Y-%m}&tz=Europe/Berlin",
                      headers=HX).get_data(as_text=True)
    tuesday = day.replace(day=day.day + 1) if day.day < 28 else None
    assert f'data-date="{day}"' not in html  # fully blocked
    if tuesday:
        assert f'data-date="{tuesday}"' in html
    assert "Days and times in Europe/Berlin" in html


def test_month_refuses_to_go_before_this_month(client, owner):
    html = client.get(f"/book/{owner.booking_slug}/month?month=2001-01", headers=HX).get_data(as_text=True)
    assert datetime.now(UTC).strftime("%Y") in html and "2001" not in html


def test_slots_are_shown_in_the_visitors_zone(client, owner, day):
    html = client.get(f"/book/{owner.booking_slug}/slots?date={day}&tz=America/New_York",
                      headers=HX).get_data(as_text=True)
    # 09:00 Berlin is 03:00 in New York
    first = at(day, 9).astimezone(NEW_YORK)
    assert f">{first:%H:%M}</button>" in html
    assert "Times in America/New_York" in html
    assert first.isoformat().replace("+", "%2B") in html or first.isoformat() in html


def test_unknown_visitor_zone_falls_back_to_the_owners(client, owner, day):
    html = client.get(f"/book/{owner.booking_slug}/slots?date={day}&tz=Mars/Base", headers=HX).get_data(as_text=True)
    assert ">09:00</button>" in html and "Times in Europe/Berlin" in html


def test_booking_a_slot_confirms_it(app, client, owner, day):
    csrf = csrf_of(client, owner.booking_slug)
    start = at(day, 10).astimezone(NEW_YORK)
    form = client.get(f"/book/{owner.booking_slug}/form?start={start.isoformat().replace('+', '%2B')}"
                      f"&tz=America/New_York", headers=HX).get_data(as_text=True)
    assert "Your e-mail" in form and f"{start:%H:%M}" in form and "10:00 for" in form
    response = client.post(f"/book/{owner.booking_slug}", headers={**HX, "X-CSRFToken": csrf},
                           data={"start": start.isoformat(), "tz": "America/New_York", "name": "Grace Hopper",
                                 "email": "grace@example.com", "csrf_token": csrf})
    assert response.status_code == 200
    target = response.headers["HX-Redirect"]
    with app.app_context():
        appt = Appointment.get()
        assert appt.start_utc.replace(tzinfo=UTC) == at(day, 10)
        assert appt.contact.email == "grace@example.com" and appt.push_state == "none"  # no Primary Calendar: written nowhere
        assert appt.title == "Appointment with Grace Hopper"
    page = client.get(target).get_data(as_text=True)
    assert "You are booked" in page and f"{start:%H:%M}" in page and "America/New_York" in page


def test_booking_without_javascript_redirects_to_the_confirmation(client, owner, day):
    csrf = csrf_of(client, owner.booking_slug)
    response = client.post(f"/book/{owner.booking_slug}",
                           data={"start": at(day, 11).isoformat(), "name": "G", "email": "g@example.com",
                                 "csrf_token": csrf})
    assert response.status_code == 303 and "/booked/" in response.headers["Location"]


def test_booking_needs_the_csrf_token(client, owner, day):
    response = client.post(f"/book/{owner.booking_slug}",
                           data={"start": at(day, 11).isoformat(), "name": "G", "email": "g@example.com"})
    assert response.status_code == 400


def test_booking_a_taken_slot_says_it_was_just_taken(app, client, owner, day):
    csrf = csrf_of(client, owner.booking_slug)
    data = {"start": at(day, 10).isoformat(), "tz": "Europe/Berlin", "name": "A", "email": "a@example.com",
            "csrf_token": csrf}
    assert client.post(f"/book/{owner.booking_slug}", data=data, headers=HX).headers.get("HX-Redirect")
    second = client.post(f"/book/{owner.booking_slug}", data={**data, "email": "b@example.com"}, headers=HX)
    html = second.get_data(as_text=True)
    assert "This time was just taken" in html and 'id="slot-error"' in html
    with app.app_context():
        assert Appointment.select().count() == 1 and Contact.select().count() == 1


@pytest.mark.parametrize("hour, minute", [(20, 0), (10, 10), (3, 0)])
def test_a_time_that_is_not_offered_cannot_be_booked(client, owner, day, hour, minute):
    csrf = csrf_of(client, owner.booking_slug)
    response = client.post(f"/book/{owner.booking_slug}",
                           data={"start": at(day, hour, minute).isoformat(), "name": "G", "email": "g@example.com",
                                 "csrf_token": csrf})
    assert response.status_code == 409  # the form with its message; 409: the time is not free


def test_booking_form_errors_sit_next_to_the_fields(client, owner, day):
    csrf = csrf_of(client, owner.booking_slug)
    html = client.post(f"/book/{owner.booking_slug}", headers=HX,
                       data={"start": at(day, 10).isoformat(), "name": "", "email": "nope",
                             "csrf_token": csrf}).get_data(as_text=True)
    assert 'id="name-error"' in html
    html = client.post(f"/book/{owner.booking_slug}", headers=HX,
                       data={"start": at(day, 10).isoformat(), "name": "G", "email": "nope",
                             "csrf_token": csrf}).get_data(as_text=True)
    assert 'id="email-error"' in html and "valid e-mail" in html


def test_booking_with_a_bad_start_is_400(client, owner):
    csrf = csrf_of(client, owner.booking_slug)
    assert client.post(f"/book/{owner.booking_slug}", data={"start": "soon", "name": "G", "email": "g@example.com",
                                                             "csrf_token": csrf}).status_code == 400
    assert client.get(f"/book/{owner.booking_slug}/form?start=2026-01-01T10:00").status_code == 400


def test_signed_in_users_can_book_too(app, auth, client, owner, make_user, day):
    other = make_user("bob@example.com")
    auth.login("bob@example.com")
    html = client.get(f"/book/{owner.booking_slug}").get_data(as_text=True)
    assert "Book a time with" in html and 'class="sidebar"' in html
    csrf = csrf_of(client, owner.booking_slug)
    response = client.post(f"/book/{owner.booking_slug}", headers=HX,
                           data={"start": at(day, 9).isoformat(), "name": "Bob", "email": other.email,
                                 "csrf_token": csrf})
    assert response.headers.get("HX-Redirect")


def test_after_busy_time_starts_stay_on_the_grid_of_the_working_range(app, client, owner, day):
    with app.app_context():
        create_blocked_slot(owner, at(day, 9), at(day, 9, 10), "Short call")
    html = client.get(f"/book/{owner.booking_slug}/slots?date={day}&tz=Europe/Berlin", headers=HX).get_data(as_text=True)
    assert ">09:30</button>" in html and ">09:10</button>" not in html and ">09:00</button>" not in html
    csrf = csrf_of(client, owner.booking_slug)
    off_grid = client.post(f"/book/{owner.booking_slug}", headers=HX,
                           data={"start": at(day, 9, 10).isoformat(), "name": "G", "email": "g@example.com",
                                 "csrf_token": csrf})
    assert not off_grid.headers.get("HX-Redirect") and "just taken" in off_grid.get_data(as_text=True)
    response = client.post(f"/book/{owner.booking_slug}", headers=HX,
                           data={"start": at(day, 9, 30).isoformat(), "name": "G", "email": "g@example.com",
                                 "csrf_token": csrf})
    assert response.headers.get("HX-Redirect")


@pytest.mark.parametrize("query", ["date=9999-12-31", "date=0001-01-01", "date=junk", ""])
def test_slots_for_a_nonsense_day_ask_to_pick_a_day(client, owner, query):
    response = client.get(f"/book/{owner.booking_slug}/slots?{query}", headers=HX)
    assert response.status_code == 200 and "Pick a day" in response.get_data(as_text=True)


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-13", "x"])
def test_month_with_a_nonsense_month_still_shows_a_bookable_month(client, owner, month):
    response = client.get(f"/book/{owner.booking_slug}/month?month={month}", headers=HX)
    assert response.status_code == 200 and "booking-days" in response.get_data(as_text=True)
