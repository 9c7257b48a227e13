"""The calendar page and its HTMX fragments through the Flask test client."""
from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from webapp.appointments import create_appointment, create_blocked_slot
from webapp.models import Appointment, BlockedSlot, Contact, RemoteCalendar

from .conftest import HX, at

UTC = timezone.utc


@pytest.fixture
def icloud_slot(app, owner, make_account, day):
    account = make_account(owner, "ada@icloud.example", calendars={"https://cal.example/home/": ("Home", "primary")})
    with app.app_context():
        calendar = RemoteCalendar.get(RemoteCalendar.account == account)
        calendar.color = "#34C759"
        calendar.save()
        BlockedSlot.create(owner=owner, source=BlockedSlot.ICLOUD, remote_calendar=calendar, all_day=True,
                           start_utc=at(day + timedelta(days=1), 0).astimezone(UTC).replace(tzinfo=None),
                           end_utc=at(day + timedelta(days=2), 0).astimezone(UTC).replace(tzinfo=None),
                           title="Holiday")
        return BlockedSlot.create(owner=owner, source=BlockedSlot.ICLOUD, remote_calendar=calendar,
                                  start_utc=at(day, 15).astimezone(UTC).replace(tzinfo=None),
                                  end_utc=at(day, 16).astimezone(UTC).replace(tzinfo=None), title="Gym")


def test_calendar_page_shows_the_week_with_all_kinds_of_items(app, owner, owner_client, day, icloud_slot):
    with app.app_context():
        create_appointment(owner, at(day, 10), at(day, 11), "Intro call", "Grace Hopper", "grace@example.com")
        create_blocked_slot(owner, at(day, 12), at(day, 13), "Lunch")
    page = owner_client.get(f"/?week={day}").get_data(as_text=True)
    assert "Intro call" in page and "Grace Hopper" in page
    assert "Lunch" in page and page.count(">Blocked Slot<") >= 3
    assert "Gym" in page and "Home" in page and 'data-color="#34C759"' in page
    assert "Times in Europe/Berlin" in page
    allday = page.split('class="cal-allday" data-date="%s"' % (day + timedelta(days=1)), 1)[1].split("</div>", 1)[0]
    assert "Holiday" in allday and "Gym" not in allday


def test_week_fragment_moves_without_the_layout(owner_client, day):
    response = owner_client.get(f"/calendar/week?week={day + timedelta(days=7)}", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith("{#") is False and 'id="week"' in html and "<nav class=\"sidebar\"" not in html
    assert f'data-week="{day + timedelta(days=7)}"' in html
    assert f"week={day + timedelta(days=14)}" in html and f"week={day}" in html


def test_week_fragment_for_any_day_shows_its_monday(owner_client, day):
    html = owner_client.get(f"/calendar/week?week={day + timedelta(days=3)}").get_data(as_text=True)
    assert f'data-week="{day}"' in html
    assert 'id="week"' in owner_client.get("/calendar/week?week=garbage").get_data(as_text=True)


def test_item_details_in_place(app, owner, owner_client, day, icloud_slot):
    with app.app_context():
        appt = create_appointment(owner, at(day, 10), at(day, 11), "Intro call", "Grace", "grace@example.com")
    html = owner_client.get(f"/calendar/appointment/{appt.id}", headers=HX).get_data(as_text=True)
    assert "Intro call" in html and "grace@example.com" in html and "Reschedule" in html and "10:00–11:00" in html
    html = owner_client.get(f"/calendar/blocked-slot/{icloud_slot.id}", headers=HX).get_data(as_text=True)
    assert "From iCloud: Home" in html and "change it in iCloud" in html and "Delete" not in html


def test_another_users_item_is_404(app, make_user, owner_client, day):
    with app.app_context():
        theirs = create_blocked_slot(make_user("bob@example.com"), at(day, 9), at(day, 10), "Theirs")
    assert owner_client.get(f"/calendar/blocked-slot/{theirs.id}").status_code == 404
    assert owner_client.post(f"/calendar/blocked-slots/{theirs.id}/delete", headers=owner_client.hx).status_code == 404


def test_new_appointment_form_books_and_reuses_contact(app, owner_client, day):
    form = owner_client.get(f"/calendar/appointments/new?date={day}", headers=HX).get_data(as_text=True)
    assert f'value="{day}"' in form and "Contact e-mail" in form
    data = {"date": day.isoformat(), "start": "10:00", "duration": "45", "title": "Kick-off",
            "name": "Grace", "email": "grace@example.com"}
    response = owner_client.post("/calendar/appointments", data=data, headers=owner_client.hx)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "calendar-changed"
    assert "Appointment booked." in response.get_data(as_text=True)
    data.update(start="14:00", name="Grace H.")
    owner_client.post("/calendar/appointments", data=data, headers=owner_client.hx)
    with app.app_context():
        rows = list(Appointment.select().order_by(Appointment.start_utc))
        assert [r.start_utc.replace(tzinfo=UTC) for r in rows] == [at(day, 10), at(day, 14)]
        assert rows[0].end_utc.replace(tzinfo=UTC) == at(day, 10, 45)
        assert Contact.select().count() == 1 and rows[0].push_state == "none"


@pytest.mark.parametrize("change, field, words", [
    ({"start": "25:00"}, "start", "Enter a date and a time"),
    ({"duration": "0"}, "duration", "between 5 and 1440"),
    ({"email": "nope"}, "email", "valid e-mail"),
    ({"name": ""}, "name", "Enter a name"),
])
def test_new_appointment_errors_sit_next_to_their_fields(owner_client, day, change, field, words):
    data = {"date": day.isoformat(), "start": "10:00", "duration": "30", "title": "", "name": "G",
            "email": "g@example.com", **change}
    html = owner_client.post("/calendar/appointments", data=data, headers=owner_client.hx).get_data(as_text=True)
    assert f'id="{field}-error"' in html and words in html
    assert "HX-Trigger" not in owner_client.post("/calendar/appointments", data=data, headers=owner_client.hx).headers


def test_new_appointment_over_busy_time_says_so(app, owner, owner_client, day):
    with app.app_context():
        create_blocked_slot(owner, at(day, 9), at(day, 12), "Focus")
    data = {"date": day.isoformat(), "start": "10:00", "duration": "30", "title": "", "name": "G",
            "email": "g@example.com"}
    html = owner_client.post("/calendar/appointments", data=data, headers=owner_client.hx).get_data(as_text=True)
    assert 'id="start-error"' in html and "not free" in html


def test_reschedule_and_cancel_an_appointment(app, owner, owner_client, day):
    with app.app_context():
        appt = create_appointment(owner, at(day, 10), at(day, 11), "Intro", "Grace", "grace@example.com")
    form = owner_client.get(f"/calendar/appointments/{appt.id}/reschedule", headers=HX).get_data(as_text=True)
    assert 'value="10:00"' in form and 'value="60"' in form
    response = owner_client.post(f"/calendar/appointments/{appt.id}/reschedule",
                                 data={"date": day.isoformat(), "start": "15:30", "duration": "30"},
                                 headers=owner_client.hx)
    assert "Appointment rescheduled." in response.get_data(as_text=True)
    with app.app_context():
        assert Appointment.get_by_id(appt.id).start_utc.replace(tzinfo=UTC) == at(day, 15, 30)
    bad = owner_client.post(f"/calendar/appointments/{appt.id}/reschedule",
                            data={"date": "x", "start": "15:30", "duration": "30"}, headers=owner_client.hx)
    assert 'id="start-error"' in bad.get_data(as_text=True)
    response = owner_client.post(f"/calendar/appointments/{appt.id}/cancel", headers=owner_client.hx)
    assert "Appointment cancelled." in response.get_data(as_text=True)
    assert response.headers["HX-Trigger"] == "calendar-changed"
    with app.app_context():
        assert Appointment.get_by_id(appt.id).status == "cancelled"


def test_new_blocked_slot_then_delete_it(app, owner_client, day):
    assert "New Blocked Slot" in owner_client.get("/calendar/blocked-slots/new", headers=HX).get_data(as_text=True)
    response = owner_client.post("/calendar/blocked-slots", headers=owner_client.hx,
                                 data={"start": f"{day}T12:00", "end": f"{day}T13:30", "title": "Lunch"})
    assert "Blocked Slot added." in response.get_data(as_text=True)
    with app.app_context():
        slot = BlockedSlot.get()
        assert slot.source == "manual" and slot.end_utc.replace(tzinfo=UTC) == at(day, 13, 30)
    response = owner_client.post(f"/calendar/blocked-slots/{slot.id}/delete", headers=owner_client.hx)
    assert "Blocked Slot deleted." in response.get_data(as_text=True)
    with app.app_context():
        assert BlockedSlot.select().count() == 0


def test_new_blocked_slot_errors(owner_client, day):
    html = owner_client.post("/calendar/blocked-slots", headers=owner_client.hx,
                             data={"start": f"{day}T12:00", "end": f"{day}T11:00", "title": ""}).get_data(as_text=True)
    assert 'id="end-error"' in html and "end must be after" in html
    html = owner_client.post("/calendar/blocked-slots", headers=owner_client.hx,
                             data={"start": "soon", "end": f"{day}T11:00"}).get_data(as_text=True)
    assert 'id="start-error"' in html


def test_icloud_blocked_slot_cannot_be_deleted_here(app, owner_client, icloud_slot):
    html = owner_client.post(f"/calendar/blocked-slots/{icloud_slot.id}/delete",
                             headers=owner_client.hx).get_data(as_text=True)
    assert "change it in iCloud" in html
    with app.app_context():
        assert BlockedSlot.get_or_none(BlockedSlot.id == icloud_slot.id) is not None


def test_overlapping_items_share_the_column(app, owner, owner_client, day):
    with app.app_context():
        create_blocked_slot(owner, at(day, 10), at(day, 12), "A")
        create_blocked_slot(owner, at(day, 11), at(day, 13), "B")
    html = owner_client.get(f"/?week={day}").get_data(as_text=True)
    assert html.count('data-lanes="2"') == 2 and 'data-lane="1"' in html


def test_calendar_needs_sign_in(client):
    assert client.get("/").status_code == 302
    assert client.get("/calendar/week", headers=HX).status_code == 401


def test_week_places_items_by_wall_clock_on_a_dst_change_day(app, owner):
    from datetime import date

    from webapp.calendar_week import build_week

    spring = date(2027, 3, 28)  # Sunday: Berlin jumps from 02:00 to 03:00
    with app.app_context():
        create_blocked_slot(owner, at(spring, 10), at(spring, 11), "Brunch")
        week = build_week(owner, spring - timedelta(days=6))
    piece = week["days"][6].timed[0]
    assert piece.top == 10 - week["hours"][0] and piece.height == 1.0


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "2026-02-30"])
def test_week_for_a_nonsense_date_shows_this_week(owner_client, week):
    response = owner_client.get(f"/calendar/week?week={week}", headers=HX)
    assert response.status_code == 200 and 'id="week"' in response.get_data(as_text=True)


def test_a_stored_zone_this_machine_no_longer_knows_shows_the_week_in_utc(app, owner, owner_client):
    from webapp.models import User

    with app.app_context():
        User.update(timezone="Mars/Olympus_Mons").where(User.id == owner.id).execute()
    response = owner_client.get("/")
    assert response.status_code == 200 and "Times in UTC" in response.get_data(as_text=True)
    assert owner_client.get(f"/book/{owner.booking_slug}").status_code == 200
