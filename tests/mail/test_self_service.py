"""The Reschedule and Cancel links: they work for one appointment, until it passed, was cancelled or is close."""
from __future__ import annotations

from datetime import timedelta

from webapp.times import naive_utc
from webapp.models import Appointment, utcnow

from .conftest import at, link, parts
from .helpers import book, csrf_of, path_of, slot_values


def _booked(app, client, owner, day, smtp):
    assert book(client, owner, at(day, 10), tz="Europe/Berlin").status_code == 303
    text = parts(smtp.wait_for(1)[0])[0]
    return path_of(link(text, "Reschedule")), path_of(link(text, "Cancel"))


def test_the_reschedule_link_offers_free_times_of_the_same_length_and_moves_the_appointment(
        app, client, owner, day, smtp):
    reschedule, _ = _booked(app, client, owner, day, smtp)
    page = client.get(reschedule)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    starts = slot_values(html)
    assert at(day, 10).isoformat() not in starts  # its own time is not offered again
    assert at(day, 14).isoformat() in starts
    response = client.post(reschedule.split("?")[0], data={"csrf_token": csrf_of(html), "start": at(day, 14).isoformat()})
    assert response.status_code == 303
    with app.app_context():
        appointment = Appointment.get()
        assert (appointment.start_utc, appointment.end_utc) == (naive_utc(at(day, 14)), naive_utc(at(day, 14, 30)))
    moved = [m for m in smtp.wait_for(4) if "grace@example.com" in m["To"]][-1]
    assert moved["Subject"].strip().startswith("Moved: ")
    owner_mail = [m for m in smtp.received if owner.email in m["To"]][-1]
    assert owner_mail["Subject"].strip().startswith("Grace Hopper moved")
    # the old time is free again
    assert at(day, 10).isoformat() in slot_values(client.get(reschedule).get_data(as_text=True))


def test_a_taken_time_is_refused_in_words(app, client, owner, day, smtp):
    reschedule, _ = _booked(app, client, owner, day, smtp)
    html = client.get(reschedule).get_data(as_text=True)
    book(client, owner, at(day, 14), name="Other", email="other@example.com")
    response = client.post(reschedule.split("?")[0], data={"csrf_token": csrf_of(html), "start": at(day, 14).isoformat()})
    assert response.status_code == 422  # a form with errors, like every other form
    assert "This time was just taken" in response.get_data(as_text=True)


def test_the_cancel_link_asks_first_then_cancels_with_a_reason_and_stops_working(app, client, owner, day, smtp):
    _, cancel = _booked(app, client, owner, day, smtp)
    page = client.get(cancel)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Cancel your booking?" in html and "Cancel appointment" in html
    with app.app_context():
        assert Appointment.get().status == Appointment.BOOKED  # asking is not cancelling
    response = client.post(cancel, data={"csrf_token": csrf_of(html), "reason": "Caught a cold"})
    assert response.status_code == 303
    with app.app_context():
        appointment = Appointment.get()
        assert appointment.status == Appointment.CANCELLED and appointment.cancel_reason == "Caught a cold"
    owner_mail = [m for m in smtp.wait_for(4) if owner.email in m["To"]][-1]
    assert "Reason: Caught a cold" in parts(owner_mail)[0]
    again = client.get(cancel).get_data(as_text=True)
    assert "This appointment was cancelled" in again and "Cancel appointment" not in again
    assert client.post(cancel, data={"csrf_token": csrf_of(html)}).status_code == 410


def test_links_stop_within_the_cutoff_and_after_the_start_saying_why(app, client, owner, day, smtp):
    reschedule, cancel = _booked(app, client, owner, day, smtp)
    csrf = csrf_of(client.get(cancel).get_data(as_text=True))
    with app.app_context():
        soon = utcnow().replace(microsecond=0) + timedelta(hours=1)
        Appointment.update(start_utc=soon, end_utc=soon + timedelta(minutes=30)).execute()
    html = client.get(cancel).get_data(as_text=True)
    assert "up to 2 hours before the start" in html and owner.email in html
    assert client.post(cancel, data={"csrf_token": csrf}).status_code == 410
    assert client.post(reschedule.split("?")[0], data={"csrf_token": csrf,
                                                       "start": at(day, 14).isoformat()}).status_code == 410
    with app.app_context():
        past = utcnow().replace(microsecond=0) - timedelta(hours=3)
        Appointment.update(start_utc=past, end_utc=past + timedelta(minutes=30)).execute()
        assert Appointment.get().status == Appointment.BOOKED
    assert "already begun or taken place" in client.get(reschedule).get_data(as_text=True)


def test_a_forged_or_altered_token_opens_nothing(app, client, owner, day, smtp):
    reschedule, _ = _booked(app, client, owner, day, smtp)
    token = reschedule.split("/")[2]
    with app.app_context():
        uuid = Appointment.get().uuid
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), uuid, "x"):
        response = client.get(f"/manage/{bad}")
        assert response.status_code == 404 and "This link is not valid" in response.get_data(as_text=True)


def test_the_confirmation_page_carries_both_links(app, client, owner, day, smtp):
    response = book(client, owner, at(day, 10))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    text = parts(smtp.wait_for(1)[0])[0]
    assert f'href="{path_of(link(text, "Reschedule")).split("?")[0]}"' in page
    assert f'href="{path_of(link(text, "Cancel")).split("?")[0]}"' in page
