"""Team bookings through the domain: who is offered, who is assigned, groups moved and cancelled."""
from __future__ import annotations

from datetime import timedelta

import pytest

from webapp import appointments, bookers, teams
from webapp.models import Appointment, EventType, OutboxMail
from webapp.times import UTC

from .conftest import at


def test_collective_offers_only_times_every_member_is_free(bob, make_type, day):
    kind = make_type("collective")
    appointments.create_blocked_slot(bob, at(day, 10), at(day, 11), "Dentist")
    offered = teams.slots(kind, at(day, 0), at(day + timedelta(days=1), 0))
    assert at(day, 9) in offered and at(day, 11) in offered
    assert at(day, 10) not in offered and at(day, 10, 30) not in offered


def test_round_robin_offers_a_time_one_member_is_free(ada, bob, make_type, day):
    kind = make_type("round_robin")
    appointments.create_blocked_slot(bob, at(day, 10), at(day, 11), "Dentist")
    offered = teams.slots(kind, at(day, 0), at(day + timedelta(days=1), 0))
    assert at(day, 10) in offered
    made = teams.book(kind, at(day, 10), "Cleo", "cleo@example.com")
    assert [a.owner_id for a in made] == [ada.id]  # Bob is busy then


def test_collective_booking_is_one_appointment_per_member_in_one_group(ada, bob, make_type, day):
    kind = make_type("collective")
    made = teams.book(kind, at(day, 9), "Cleo", "cleo@example.com")
    assert sorted(a.owner_id for a in made) == sorted([ada.id, bob.id])
    assert len({a.booking_group for a in made}) == 1 and len({a.uuid for a in made}) == 2
    assert all(a.team_id == kind.team_id for a in made)
    booker_mails = OutboxMail.select().where(OutboxMail.audience == "booker")
    assert booker_mails.count() == 1  # one confirmation naming both
    assert [m["name"] for m in booker_mails.get().snapshot["members"]] == ["Ada", "Bob"]
    with pytest.raises(appointments.SlotTaken):
        teams.book(kind, at(day, 9), "Dan", "dan@example.com")


def test_round_robin_alternates_between_equally_free_members(ada, bob, make_type, day):
    kind = make_type("round_robin")
    owners = [teams.book(kind, at(day, 9 + n), f"C{n}", f"c{n}@example.com")[0].owner_id for n in range(4)]
    assert owners == [ada.id, bob.id, ada.id, bob.id]


def test_round_robin_with_nobody_free_is_slot_taken(ada, bob, make_type, day):
    kind = make_type("round_robin")
    for user in (ada, bob):
        appointments.create_blocked_slot(user, at(day, 9), at(day, 10), "Busy")
    with pytest.raises(appointments.SlotTaken):
        teams.book(kind, at(day, 9), "Cleo", "cleo@example.com")


def test_limits_count_a_collective_booking_once(make_type, day):
    kind = make_type("collective", daily_limit=2)
    teams.book(kind, at(day, 9), "Cleo", "cleo@example.com")
    assert at(day, 10) in teams.slots(kind, at(day, 0), at(day, 23))
    teams.book(kind, at(day, 10), "Dan", "dan@example.com")
    assert teams.slots(kind, at(day, 0), at(day, 23)) == []
    with pytest.raises(appointments.SlotTaken):
        teams.book(kind, at(day, 11), "Eve", "eve@example.com")


def test_the_per_address_limit_counts_a_collective_booking_once(app, make_type, day):
    app.config["BOOKING_LIMIT_PER_ADDRESS_PER_HOUR"] = 2
    kind = make_type("collective")
    booker = bookers.Booker(address="192.0.2.7")
    for hour in (9, 10):  # two bookings of two members each: two, not four
        assert len(teams.book(kind, at(day, hour), "Cleo", "cleo@example.com", booker=booker)) == 2
    with pytest.raises(appointments.BookingError, match="Too many bookings from your network"):
        teams.book(kind, at(day, 11), "Cleo", "cleo@example.com", booker=booker)


def test_cancel_or_move_any_copy_changes_every_copy(make_type, day):
    kind = make_type("collective")
    made = teams.book(kind, at(day, 9), "Cleo", "cleo@example.com")
    appointments.reschedule(made[1], at(day, 14), at(day, 14, 30))
    assert {a.start_utc for a in teams.group_of(made[0])} == {at(day, 14).astimezone(UTC).replace(tzinfo=None)}
    appointments.cancel(made[1], actor="booker")
    assert {a.status for a in teams.group_of(made[0])} == {Appointment.CANCELLED}


def test_booker_move_must_be_offered_to_every_member(bob, make_type, day):
    kind = make_type("collective")
    made = teams.book(kind, at(day, 9), "Cleo", "cleo@example.com")
    appointments.create_blocked_slot(bob, at(day, 14), at(day, 15), "Busy")
    with pytest.raises(appointments.SlotTaken):
        appointments.reschedule(made[0], at(day, 14), at(day, 14, 30), actor="booker")
    appointments.reschedule(made[0], at(day, 9, 30), at(day, 10), actor="booker")  # overlaps its old self: fine
    assert {a.start_utc.hour for a in teams.group_of(made[0])} == {at(day, 9, 30).astimezone(UTC).hour}


def test_team_type_slugs_are_unique_in_the_team_not_against_personal_types(ada, team, make_type):
    from webapp import event_types

    event_types.create(ada, {"title": "Intro", "duration_minutes": 30, "slug": "intro"})
    kind = make_type("collective", slug="intro")
    assert kind.kind == EventType.COLLECTIVE
    with pytest.raises(event_types.Invalid) as exc:
        make_type("round_robin", slug="intro")
    assert "Sales already has" in exc.value.errors["slug"]


def test_the_bookers_reschedule_link_offers_times_free_for_every_member_and_moves_every_copy(
        app, client, bob, make_type, day):
    from tests.mail.helpers import csrf_of, slot_values
    from webapp.mail.tokens import token_for

    kind = make_type("collective")
    made = teams.book(kind, at(day, 9), "Cleo", "cleo@example.com")
    appointments.create_blocked_slot(bob, at(day, 14), at(day, 15), "Busy")
    url = f"/manage/{token_for(made[0].uuid)}/reschedule"
    with app.app_context():
        html = client.get(f"{url}?date={day}&tz=Europe/Berlin").get_data(as_text=True)
    offered = slot_values(html)
    assert at(day, 15).isoformat() in offered and at(day, 14).isoformat() not in offered  # Bob is busy at 14
    with app.app_context():
        answer = client.post(url, data={"csrf_token": csrf_of(html), "start": at(day, 15).isoformat()})
    assert answer.status_code == 303
    assert {a.start_utc for a in teams.group_of(made[0])} == {at(day, 15).astimezone(UTC).replace(tzinfo=None)}
    with app.app_context():
        cancel_page = client.get(f"/manage/{token_for(made[1].uuid)}/cancel").get_data(as_text=True)
        client.post(f"/manage/{token_for(made[1].uuid)}/cancel", data={"csrf_token": csrf_of(cancel_page)})
    assert {a.status for a in teams.group_of(made[0])} == {Appointment.CANCELLED}


def test_the_bookers_mail_names_every_member_they_meet(make_type, day):
    from webapp.mail import messages

    kind = make_type("collective")
    teams.book(kind, at(day, 9), "Cleo", "cleo@example.com")
    row = OutboxMail.select().where(OutboxMail.audience == "booker").get()
    composed = messages.compose(row.snapshot, "https://slotwise.example")
    assert "your appointment with Ada and Bob is booked" in composed.text
    assert "With: Ada <ada@example.com>, Bob <bob@example.com>" in composed.text
    assert "Ada" in composed.html and "bob@example.com" in composed.html
