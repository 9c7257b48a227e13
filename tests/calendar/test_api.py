"""HTTP tests of /api/v1 calendar, availability, appointments and Blocked Slots, bad input included."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from webapp.models import Appointment, BlockedSlot, Contact, RemoteCalendar

from .conftest import BERLIN, at

UTC = timezone.utc


def iso(value: datetime) -> str:
    return value.isoformat()


def book(api, start, end, title="Intro call", name="Grace Hopper", email="grace@example.com"):
    return api.post("/api/v1/appointments", json={"start": iso(start), "end": iso(end), "title": title,
                                                   "contact": {"name": name, "email": email}})


@pytest.fixture
def icloud_slot(app, owner, make_account, day):
    account = make_account(owner, "ada@icloud.example", calendars={"https://cal.example/work/": ("Work", "conflict")})
    with app.app_context():
        calendar = RemoteCalendar.get(RemoteCalendar.account == account)
        calendar.color = "#ff9500"
        calendar.save()
        return BlockedSlot.create(owner=owner, source=BlockedSlot.ICLOUD, remote_calendar=calendar,
                                  start_utc=at(day, 14).astimezone(UTC).replace(tzinfo=None),
                                  end_utc=at(day, 15).astimezone(UTC).replace(tzinfo=None), title="Dentist")


# --- POST/PATCH/DELETE appointments ------------------------------------------------------------

def test_post_appointment_creates_it_with_a_contact_and_nothing_to_push_without_primary(app, api, day):
    response = book(api, at(day, 10), at(day, 10, 30))
    assert response.status_code == 201
    body = response.json
    assert body["id"] and body["title"] == "Intro call"
    assert body["contact"]["email"] == "grace@example.com"
    assert datetime.fromisoformat(body["start"]) == at(day, 10)
    with app.app_context():
        row = Appointment.get_by_id(body["id"])
        assert row.push_state == Appointment.PUSH_NONE and row.status == Appointment.BOOKED


def test_post_appointment_reuses_the_contact_by_email(app, api, day):
    book(api, at(day, 10), at(day, 10, 30), email="Grace@Example.com")
    second = book(api, at(day, 11), at(day, 11, 30), name="G. Hopper", email="grace@example.com")
    assert second.status_code == 201
    with app.app_context():
        assert Contact.select().count() == 1


def test_post_appointment_over_busy_time_is_409(api, day, icloud_slot):
    book(api, at(day, 10), at(day, 11))
    assert book(api, at(day, 10, 30), at(day, 11, 30)).status_code == 409
    response = book(api, at(day, 14, 30), at(day, 14, 45))  # over the iCloud Blocked Slot
    assert response.status_code == 409
    assert "not free" in response.json["message"]


def test_owner_may_book_outside_working_hours(api, day):
    assert book(api, at(day, 20), at(day, 21)).status_code == 201
    assert book(api, at(day + timedelta(days=5), 10), at(day + timedelta(days=5), 11)).status_code == 201  # Saturday


def test_back_to_back_appointments_do_not_collide(api, day):
    assert book(api, at(day, 10), at(day, 11)).status_code == 201
    assert book(api, at(day, 11), at(day, 12)).status_code == 201


def test_post_appointment_without_contact_is_allowed(api, day):
    response = api.post("/api/v1/appointments", json={"start": iso(at(day, 9)), "end": iso(at(day, 9, 30))})
    assert response.status_code == 201 and response.json["contact"] is None


@pytest.mark.parametrize("body, status, words", [
    ({"start": "tomorrow", "end": "2026-01-01T10:00:00+00:00"}, 400, "not an ISO 8601"),
    ({"start": "2026-06-01T10:00:00", "end": "2026-06-01T11:00:00"}, 400, "no UTC offset"),
    ({"end": "2026-06-01T11:00:00+02:00"}, 400, "required"),
    ({"start": "2026-06-01T11:00:00+02:00", "end": "2026-06-01T10:00:00+02:00"}, 422, "end must be after"),
    ({"start": "2026-06-01T10:00:00+02:00", "end": "2026-06-01T10:00:00+02:00"}, 422, "end must be after"),
    ({"start": "2026-06-01T10:00:00+02:00", "end": "2026-06-01T11:00:00+02:00",
      "contact": {"name": "X", "email": "not-an-email"}}, 422, "valid e-mail"),
    ({"start": "2026-06-01T10:00:00+02:00", "end": "2026-06-01T11:00:00+02:00", "contact": "x"}, 400, "object"),
    ({"start": 5, "end": "2026-06-01T11:00:00+02:00"}, 400, "required"),
    ({"start": "0001-01-01T00:00:00+05:00", "end": "2026-06-01T11:00:00+02:00"}, 400, "too far"),
])
def test_post_appointment_bad_input_is_json_not_500(api, body, status, words):
    response = api.post("/api/v1/appointments", json=body)
    assert response.status_code == status
    assert words in response.json["message"]


def test_post_appointment_with_a_non_json_body_is_400(api):
    response = api.post("/api/v1/appointments", data="start=now", content_type="text/plain")
    assert response.status_code == 400 and "JSON object" in response.json["message"]
    assert api.post("/api/v1/appointments", json=[1, 2]).status_code == 400


def test_patch_appointment_reschedules_it(app, api, day):
    created = book(api, at(day, 10), at(day, 10, 30)).json
    response = api.patch(f"/api/v1/appointments/{created['id']}",
                         json={"start": iso(at(day, 13)), "end": iso(at(day, 14))})
    assert response.status_code == 200
    assert datetime.fromisoformat(response.json["start"]) == at(day, 13)
    assert response.json["id"] == created["id"]


def test_patch_appointment_onto_its_own_time_is_fine_but_onto_busy_time_is_409(api, day):
    first = book(api, at(day, 10), at(day, 11)).json
    other = book(api, at(day, 12), at(day, 13)).json
    assert api.patch(f"/api/v1/appointments/{first['id']}",
                     json={"start": iso(at(day, 10, 30)), "end": iso(at(day, 11, 30))}).status_code == 200
    assert api.patch(f"/api/v1/appointments/{other['id']}",
                     json={"start": iso(at(day, 11)), "end": iso(at(day, 12))}).status_code == 409


def test_patch_appointment_bad_input(api, day):
    created = book(api, at(day, 10), at(day, 10, 30)).json
    url = f"/api/v1/appointments/{created['id']}"
    assert api.patch(url, json={"start": "x", "end": "y"}).status_code == 400
    assert api.patch(url, json={"start": iso(at(day, 12)), "end": iso(at(day, 11))}).status_code == 422
    assert api.patch(url, data="nope", content_type="text/plain").status_code == 400
    assert api.patch("/api/v1/appointments/999999", json={"start": iso(at(day, 12)),
                                                          "end": iso(at(day, 13))}).status_code == 404


def test_delete_appointment_cancels_it_and_frees_the_time(app, api, day):
    created = book(api, at(day, 10), at(day, 10, 30)).json
    assert api.delete(f"/api/v1/appointments/{created['id']}").status_code == 204
    with app.app_context():
        assert Appointment.get_by_id(created["id"]).status == Appointment.CANCELLED
    assert book(api, at(day, 10), at(day, 10, 30)).status_code == 201
    assert api.delete(f"/api/v1/appointments/{created['id']}").status_code == 204  # again: still cancelled
    cancelled = api.patch(f"/api/v1/appointments/{created['id']}",
                          json={"start": iso(at(day, 12)), "end": iso(at(day, 13))})
    assert cancelled.status_code == 422


def test_another_users_appointment_is_404(app, api, make_user, day):
    from webapp.appointments import create_appointment

    with app.app_context():
        other = make_user("bob@example.com")
        theirs = create_appointment(other, at(day, 10), at(day, 11), "Theirs", "Eve", "eve@example.com")
    assert api.get(f"/api/v1/appointments/{theirs.id}").status_code == 404
    assert api.patch(f"/api/v1/appointments/{theirs.id}",
                     json={"start": iso(at(day, 12)), "end": iso(at(day, 13))}).status_code == 404
    assert api.delete(f"/api/v1/appointments/{theirs.id}").status_code == 404
    with app.app_context():
        assert Appointment.get_by_id(theirs.id).status == Appointment.BOOKED


# --- Blocked Slots -----------------------------------------------------------------------------

def test_post_blocked_slot_creates_a_manual_one_that_blocks_availability(app, api, day):
    response = api.post("/api/v1/blocked-slots",
                        json={"start": iso(at(day, 9)), "end": iso(at(day, 12)), "title": "Focus"})
    assert response.status_code == 201
    assert response.json["id"] and response.json["source"] == "platform" and response.json["calendar"] is None
    slots = api.get(f"/api/v1/availability?start={day}&end={day}").json["slots"]
    assert slots[0] == iso(at(day, 12))
    assert book(api, at(day, 11), at(day, 12)).status_code == 409


def test_post_blocked_slot_bad_input(api, day):
    assert api.post("/api/v1/blocked-slots", json={"start": iso(at(day, 12)), "end": iso(at(day, 9))}).status_code == 422
    assert api.post("/api/v1/blocked-slots", json={"start": "2026-06-01", "end": "2026-06-02"}).status_code == 400
    assert api.post("/api/v1/blocked-slots", data="{", content_type="application/json").status_code == 400
    assert api.post("/api/v1/blocked-slots", json={"start": iso(at(day, 9)), "end": iso(at(day, 10)),
                                                   "title": 3}).status_code == 400


def test_delete_blocked_slot(app, api, day):
    created = api.post("/api/v1/blocked-slots", json={"start": iso(at(day, 9)), "end": iso(at(day, 10))}).json
    assert api.delete(f"/api/v1/blocked-slots/{created['id']}").status_code == 204
    assert api.delete(f"/api/v1/blocked-slots/{created['id']}").status_code == 404


def test_delete_icloud_blocked_slot_is_422_change_it_in_icloud(app, api, icloud_slot):
    response = api.delete(f"/api/v1/blocked-slots/{icloud_slot.id}")
    assert response.status_code == 422
    assert "change it in iCloud" in response.json["message"]
    with app.app_context():
        assert BlockedSlot.get_or_none(BlockedSlot.id == icloud_slot.id) is not None


def test_another_users_blocked_slot_is_404(app, api, make_user, day):
    from webapp.appointments import create_blocked_slot

    with app.app_context():
        theirs = create_blocked_slot(make_user("bob@example.com"), at(day, 9), at(day, 10), "Theirs")
    assert api.delete(f"/api/v1/blocked-slots/{theirs.id}").status_code == 404


# --- GET calendar ------------------------------------------------------------------------------

def test_get_calendar_lists_appointments_and_both_kinds_of_blocked_slots(api, day, icloud_slot):
    appt = book(api, at(day, 10), at(day, 10, 30)).json
    manual = api.post("/api/v1/blocked-slots", json={"start": iso(at(day, 12)), "end": iso(at(day, 13)),
                                                     "title": "Lunch"}).json
    response = api.get(f"/api/v1/calendar?start={day}&end={day + timedelta(days=1)}")
    assert response.status_code == 200
    items = response.json["items"]
    assert [(i["kind"], i["source"], i["title"]) for i in items] == [
        ("appointment", "platform", "Intro call"),
        ("blocked_slot", "platform", "Lunch"),
        ("blocked_slot", "icloud", "Dentist"),
    ]
    assert items[0]["id"] == appt["id"] and items[1]["id"] == manual["id"]
    assert items[2]["calendar"]["name"] == "Work" and items[2]["calendar"]["id"]
    assert items[0]["calendar"] is None and items[0]["all_day"] is False
    assert datetime.fromisoformat(items[2]["start"]) == at(day, 14)


def test_get_calendar_with_offset_datetimes_and_dates_in_the_users_zone(api, day):
    book(api, at(day, 0, 30), at(day, 1))  # 00:30 Berlin is still the day before in UTC
    by_date = api.get(f"/api/v1/calendar?start={day}&end={day + timedelta(days=1)}").json["items"]
    assert len(by_date) == 1
    start = iso(at(day, 2)).replace("+", "%2B")
    end = iso(at(day, 3)).replace("+", "%2B")
    assert api.get(f"/api/v1/calendar?start={start}&end={end}").json["items"] == []


def test_get_calendar_hides_cancelled_appointments(api, day):
    created = book(api, at(day, 10), at(day, 10, 30)).json
    api.delete(f"/api/v1/appointments/{created['id']}")
    assert api.get(f"/api/v1/calendar?start={day}&end={day + timedelta(days=1)}").json["items"] == []


@pytest.mark.parametrize("query, status", [
    ("", 400),
    ("?start=2026-06-01", 400),
    ("?start=junk&end=2026-06-02", 400),
    ("?start=2026-06-01T10:00:00&end=2026-06-02", 400),
    ("?start=2026-06-02&end=2026-06-01", 422),
    ("?start=2020-01-01&end=2026-01-01", 422),
    ("?start=2026-02-30&end=2026-03-02", 400),
])
def test_get_calendar_bad_ranges(api, query, status):
    response = api.get("/api/v1/calendar" + query)
    assert response.status_code == status
    assert response.json["message"]


# --- GET availability --------------------------------------------------------------------------

def test_get_availability_lists_free_slots_with_offsets(api, day, icloud_slot):
    book(api, at(day, 10), at(day, 11))
    response = api.get(f"/api/v1/availability?start={day}&end={day}")
    assert response.status_code == 200
    body = response.json
    assert body["timezone"] == "Europe/Berlin" and body["duration"] == 30
    slots = [datetime.fromisoformat(s) for s in body["slots"]]
    assert slots[0] == at(day, 9) and slots[0].utcoffset() == BERLIN.utcoffset(at(day, 9).replace(tzinfo=None))
    assert at(day, 10) not in slots and at(day, 10, 30) not in slots and at(day, 11) in slots
    assert at(day, 14) not in slots and at(day, 15) in slots  # the iCloud Blocked Slot counts
    assert len(slots) == 16 - 2 - 2


def test_get_availability_with_duration_and_a_week(api, day):
    body = api.get(f"/api/v1/availability?start={day}&end={day + timedelta(days=6)}&duration=60").json
    assert body["duration"] == 60
    assert len(body["slots"]) == 5 * 15  # 09:00 … 16:00 every half hour, Monday to Friday


@pytest.mark.parametrize("query, status", [
    ("?start=2026-06-01&end=2026-06-02&duration=abc", 400),
    ("?start=2026-06-01&end=2026-06-02&duration=0", 400),
    ("?start=2026-06-01&end=2026-09-30", 422),
    ("?start=2026-06-05&end=2026-06-01", 422),
    ("?start=x&end=y", 400),
])
def test_get_availability_bad_input(api, query, status):
    assert api.get("/api/v1/availability" + query).status_code == status


def test_api_routes_need_a_token(client):
    assert client.get("/api/v1/calendar?start=2026-06-01&end=2026-06-02").status_code == 401
    assert client.get("/api/v1/availability?start=2026-06-01&end=2026-06-02").status_code == 401
    assert client.delete("/api/v1/blocked-slots/1", headers={"Authorization": "Bearer nope"}).status_code == 401
