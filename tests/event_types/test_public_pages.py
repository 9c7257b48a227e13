"""/book/<slug> and /book/<slug>/<type-slug>: the list of active types, the picker of one, hidden types."""
from __future__ import annotations

from webapp import event_types
from webapp.models import Appointment, User

from tests.booking.test_booking_page import csrf_of

from .conftest import at

HX = {"HX-Request": "true"}


def _add(app, owner, **values):
    with app.app_context():
        return event_types.create(User.get_by_id(owner.id), {"duration_minutes": 60, "minimum_notice_minutes": 0,
                                                             **values})


def test_one_type_goes_straight_to_the_picker_and_two_are_listed(app, client, owner):
    single = client.get(f"/book/{owner.booking_slug}").get_data(as_text=True)
    assert 'id="month"' in single and "30 minutes" in single
    _add(app, owner, title="Consultation", description="An hour")
    listing = client.get(f"/book/{owner.booking_slug}").get_data(as_text=True)
    assert 'id="month"' not in listing
    assert f'href="/book/{owner.booking_slug}/appointment"' in listing
    assert f'href="/book/{owner.booking_slug}/consultation"' in listing and "An hour" in listing
    picker = client.get(f"/book/{owner.booking_slug}/consultation").get_data(as_text=True)
    assert "60 minutes" in picker and "type=consultation" in picker and "All kinds of appointment" in picker


def test_a_hidden_type_is_neither_listed_nor_bookable(app, client, owner, day):
    _add(app, owner, title="Secret", slug="secret", active=False)
    page = client.get(f"/book/{owner.booking_slug}").get_data(as_text=True)
    assert "Secret" not in page and 'id="month"' in page  # one active type left: its picker
    assert client.get(f"/book/{owner.booking_slug}/secret").status_code == 404
    assert client.get(f"/book/{owner.booking_slug}/slots?date={day}&type=secret", headers=HX).status_code == 404
    assert client.get(f"/book/{owner.booking_slug}/nope").status_code == 404


def test_a_visitor_books_the_type_of_the_page_with_its_length_and_title(app, client, owner, day):
    _add(app, owner, title="Consultation", step_minutes=60)
    html = client.get(f"/book/{owner.booking_slug}/slots?date={day}&type=consultation&tz=Europe/Berlin",
                      headers=HX).get_data(as_text=True)
    assert ">10:00</button>" in html and ">10:30</button>" not in html
    csrf = csrf_of(client, owner.booking_slug)
    response = client.post(f"/book/{owner.booking_slug}", headers=HX,
                           data={"start": at(day, 10).isoformat(), "type": "consultation", "name": "Grace",
                                 "email": "g@example.com", "csrf_token": csrf})
    assert response.headers.get("HX-Redirect")
    with app.app_context():
        booked = Appointment.get()
        assert booked.title == "Consultation with Grace" and booked.event_type.slug == "consultation"
        assert (booked.end_utc - booked.start_utc).total_seconds() == 3600
    again = client.post(f"/book/{owner.booking_slug}", headers=HX,
                        data={"start": at(day, 10).isoformat(), "type": "consultation", "name": "Bob",
                              "email": "b@example.com", "csrf_token": csrf})
    assert again.status_code == 409 and "just taken" in again.get_data(as_text=True)


def test_reserved_words_of_the_booking_pages_are_no_type_slugs(app, owner):
    with app.app_context():
        user = User.get_by_id(owner.id)
        made = event_types.create(user, {"title": "Month", "duration_minutes": 30})
        assert made.slug == "month-1"
