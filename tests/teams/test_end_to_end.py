"""Team bookings end to end on both CalDAV servers (plain Radicale and the iCloud-shaped front), two
members each with their own iCloud account: every copy lands in its member's own Primary Calendar, busy
time in either member's iCloud refuses a collective booking, cancelling removes every copy."""
from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from tests.conftest import APP_PASSWORD
from tests.sync.conftest import vevent
from webapp.models import Appointment
from webapp.sync import sync_account_now
from webapp.times import UTC

from .conftest import at

ICLOUD = {"ada": "ada@icloud.example", "bob": "bob@icloud.example"}


@pytest.fixture
def icloud(caldav_server, make_account, ada, bob):
    """Each member's own iCloud account: Home is the Primary Calendar, Work is checked for conflicts."""
    accounts = {}
    for who, user in (("ada", ada), ("bob", bob)):
        caldav_server.add_user(ICLOUD[who], APP_PASSWORD)
        home = caldav_server.make_calendar(ICLOUD[who], "home", "Home")
        work = caldav_server.make_calendar(ICLOUD[who], "work", "Work")
        accounts[who] = make_account(user, ICLOUD[who], calendars={home: ("Home", "primary"),
                                                                  work: ("Work", "conflict")}).id
    return accounts


def events(server, who: str, calendar: str = "home") -> dict[str, str]:
    """href → UID of the events on the server in one member's calendar."""
    return {href: str(Calendar.from_ical(text).walk("VEVENT")[0]["UID"])
            for href, text in server.objects(ICLOUD[who], calendar).items()}


@pytest.fixture
def call(app, tokens):
    clients: dict = {}

    def call(who: str, method: str, url: str, **kw):
        client = clients.setdefault(who, app.test_client())
        with app.app_context():
            return client.open(url, method=method, headers={"Authorization": f"Bearer {tokens[who]}"}, **kw)

    return call


def _book(call, slug: str, start, who: str = "bob"):
    return call(who, "POST", "/api/v1/appointments", json={
        "team": "sales", "event_type": slug, "start": start.isoformat(),
        "contact": {"name": "Cleo", "email": "cleo@example.com"}})


def test_a_collective_booking_lands_in_both_primary_calendars_and_cancelling_removes_both(
        caldav_server, icloud, call, make_type, day):
    make_type("collective", slug="together")
    booked = _book(call, "together", at(day, 9))
    assert booked.status_code == 201, booked.json
    ids = booked.json["appointment_ids"]
    rows = {a.owner.email: a for a in Appointment.select().where(Appointment.id.in_(ids))}
    assert {a.push_state for a in rows.values()} == {Appointment.PUSH_SYNCED}
    ada_events, bob_events = events(caldav_server, "ada"), events(caldav_server, "bob")
    assert list(ada_events.values()) == [rows["ada@example.com"].event_uid]
    assert list(bob_events.values()) == [rows["bob@example.com"].event_uid]
    assert set(ada_events.values()) != set(bob_events.values())  # one event each, its own UID
    assert rows["ada@example.com"].remote_href != rows["bob@example.com"].remote_href
    assert events(caldav_server, "ada", "work") == {} and events(caldav_server, "bob", "work") == {}

    assert call("ada", "DELETE", f"/api/v1/appointments/{ids[1]}").status_code == 204
    assert events(caldav_server, "ada") == {} and events(caldav_server, "bob") == {}


@pytest.mark.parametrize("busy_member", ["ada", "bob"])
def test_a_collective_booking_is_refused_when_either_members_icloud_is_busy(
        caldav_server, icloud, call, make_type, day, busy_member):
    make_type("collective", slug="together")
    start = at(day, 11)
    caldav_server.put_event(ICLOUD[busy_member], "work", "dentist.ics",
                            vevent("dentist", start.astimezone(UTC).replace(tzinfo=None), 60, "Dentist"))
    sync_account_now(icloud[busy_member])
    free = call("ada", "GET", f"/api/v1/availability?team=sales&event_type=together&start={day}&end={day}").json
    assert start.isoformat() not in free["slots"] and at(day, 12).isoformat() in free["slots"]
    refused = _book(call, "together", start)
    assert refused.status_code == 409
    assert Appointment.select().count() == 0
    assert events(caldav_server, "ada") == {} and events(caldav_server, "bob") == {}


def test_round_robin_bookings_alternate_between_two_equally_free_members(caldav_server, icloud, call, make_type, day):
    make_type("round_robin", slug="anyone")
    members = []
    for n in range(4):
        answer = _book(call, "anyone", at(day, 9) + timedelta(hours=n))
        assert answer.status_code == 201
        members.append(answer.json["members"])
    assert members == [["ada@example.com"], ["bob@example.com"], ["ada@example.com"], ["bob@example.com"]]
    assert len(events(caldav_server, "ada")) == 2 and len(events(caldav_server, "bob")) == 2


def test_removing_a_member_moves_their_round_robin_booking_to_the_other_members_calendar(
        caldav_server, icloud, call, make_type, day, bob, team):
    from webapp import appointments, teams

    make_type("round_robin", slug="anyone")
    _book(call, "anyone", at(day, 9))  # Ada's (never booked, first in order)
    second = _book(call, "anyone", at(day, 10)).json  # Bob's
    assert second["members"] == ["bob@example.com"]
    [uid] = events(caldav_server, "bob").values()
    [step] = teams.removal_plan(bob, team)
    assert step.action == "reassign" and step.to_user.email == "ada@example.com"
    teams.apply_removal(bob, team)
    assert events(caldav_server, "bob") == {}  # the old copy is gone from Bob's calendar
    assert uid in events(caldav_server, "ada").values() and len(events(caldav_server, "ada")) == 2
    moved = Appointment.get_by_id(second["id"])
    assert moved.owner.email == "ada@example.com" and moved.push_state == Appointment.PUSH_SYNCED
    appointments.cancel(moved)
    assert uid not in events(caldav_server, "ada").values()
