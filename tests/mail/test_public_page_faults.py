"""The two faults found on the public page: a stored contact's name shown and used; forty bookings at once."""
from __future__ import annotations

from datetime import timedelta

from webapp import appointments as svc
from webapp.models import Appointment, Contact

from webapp.times import naive_utc

from .conftest import at, parts
from .helpers import book


def test_booking_with_a_known_email_shows_what_the_booker_typed_and_records_it(
        app, client, owner, day, smtp, logged_in):
    with app.app_context():
        svc.create_appointment(owner, at(day, 9), at(day, 9, 30), "", "Carol", "carol@example.com")
    anonymous = app.test_client()
    response = book(anonymous, owner, at(day, 11), name="Mallory", email="carol@example.com")
    assert response.status_code == 303
    page = anonymous.get(response.headers["Location"]).get_data(as_text=True)
    assert "Booked for Mallory (carol@example.com)" in page and "Carol" not in page
    with app.app_context():
        appointment = Appointment.get(Appointment.start_utc == naive_utc(at(day, 11)))
        assert appointment.booker_name == "Mallory" and appointment.title == "Appointment with Mallory"
        assert Contact.get(Contact.email == "carol@example.com").name == "Carol"  # the stored name is kept
    (mail,) = smtp.to("carol@example.com")
    assert mail["To"].addresses[0].display_name == "Mallory" and "Hello Mallory" in parts(mail)[0]
    # the owner sees both: the contact it belongs to and the name it was booked under
    details = logged_in.get(f"/calendar/appointment/{appointment.id}",
                            headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Booked as" in details and "Mallory" in details and "Carol" in details


def test_one_email_holds_at_most_three_pending_bookings_with_one_owner(app, client, owner, day, smtp):
    for hour in (9, 10, 11):
        assert book(client, owner, at(day, hour), address=f"198.51.100.{hour}").status_code == 303
    refused = book(client, owner, at(day, 12), address="198.51.100.12")
    assert refused.status_code == 429
    assert "already has 3 upcoming bookings" in refused.get_data(as_text=True)
    with app.app_context():
        assert Appointment.select().count() == 3
        svc.cancel(Appointment.get(Appointment.start_utc == naive_utc(at(day, 9))))
    assert book(client, owner, at(day, 12), address="198.51.100.12").status_code == 303  # a cancel frees one


def test_one_address_books_at_most_ten_times_an_hour(app, client, owner, day, smtp):
    app.config["MAIL_URL"] = None  # fifty e-mails would only slow this down; they wait in the outbox
    statuses = []
    for n in range(12):
        start = at(day, 9) + timedelta(minutes=30 * n)
        statuses.append(book(client, owner, start, email=f"v{n}@example.com", address="203.0.113.7").status_code)
    assert statuses == [303] * 10 + [429, 429]
    last = book(client, owner, at(day, 16), email="late@example.com", address="203.0.113.7")
    assert "Too many bookings from your network" in last.get_data(as_text=True)
    assert book(client, owner, at(day, 16), email="late@example.com", address="203.0.113.8").status_code == 303
    with app.app_context():
        assert Appointment.select().count() == 11
