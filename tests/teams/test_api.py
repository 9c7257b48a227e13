"""The teams API through HTTP with Bearer tokens: who may do what, and the JSON names of the issue."""
from __future__ import annotations

from datetime import timedelta

import pytest

from webapp import appointments
from webapp.models import Appointment, Invitation, OutboxMail
from webapp.times import UTC

from .conftest import at


@pytest.fixture
def call(app, tokens):
    clients: dict = {}

    def call(who: str, method: str, url: str, **kw):
        client = clients.setdefault(who, app.test_client())  # one each: no session cookie carries over
        with app.app_context():  # a request's own context (and `g`), not the test's
            return client.open(url, method=method, headers={"Authorization": f"Bearer {tokens[who]}"}, **kw)

    return call


def test_admin_creates_a_team_with_the_admins_zone_by_default(call, ada):
    made = call("ada", "POST", "/api/v1/teams", json={"name": "Support", "slug": "support"})
    assert made.status_code == 201
    assert made.json == {"id": made.json["id"], "name": "Support", "slug": "support", "timezone": "Europe/Berlin"}
    other = call("ada", "POST", "/api/v1/teams", json={"name": "Ops", "slug": "ops", "timezone": "America/New_York"})
    assert other.json["timezone"] == "America/New_York"
    again = call("ada", "POST", "/api/v1/teams", json={"name": "Support", "slug": "support"})
    assert again.status_code == 422 and "slug" in again.json["fields"]
    bad = call("ada", "POST", "/api/v1/teams", json={"name": "", "slug": "No Way", "timezone": "Mars/Base"})
    assert set(bad.json["fields"]) == {"name", "slug", "timezone"}


def test_members_see_their_teams_and_may_not_create_or_add(call, team, make_user, tokens, app):
    from webapp.auth import issue_api_token

    assert [t["slug"] for t in call("bob", "GET", "/api/v1/teams").json] == ["sales"]
    assert call("bob", "POST", "/api/v1/teams", json={"name": "X", "slug": "x"}).status_code == 403
    assert call("bob", "POST", f"/api/v1/teams/{team.id}/members", json={"email": "x@example.com"}).status_code == 403
    outsider = make_user(email="eve@example.com")
    tokens["eve"] = issue_api_token(outsider)
    assert call("eve", "GET", "/api/v1/teams").json == []
    assert call("eve", "GET", f"/api/v1/teams/{team.id}/members").status_code == 404
    assert call("eve", "GET", "/api/v1/availability?team=sales&event_type=x&start=2030-01-07&end=2030-01-07"
                ).status_code == 404


def test_adding_members_existing_user_joins_new_address_is_invited(call, team, make_user):
    cleo = make_user(email="cleo@example.com", name="Cleo")
    first = call("ada", "POST", f"/api/v1/teams/{team.id}/members", json={"email": "Cleo@Example.com"})
    assert first.status_code == 201 and first.json["email"] == "cleo@example.com" and first.json["id"] == cleo.id
    again = call("ada", "POST", f"/api/v1/teams/{team.id}/members", json={"email": "cleo@example.com"})
    assert again.status_code == 200 and again.json["id"] == cleo.id
    invited = call("ada", "POST", f"/api/v1/teams/{team.id}/members", json={"email": "new@example.com"})
    assert invited.status_code == 202 and invited.json["invited"] == "new@example.com"
    invitation = Invitation.get_by_id(invited.json["invitation"]["id"])
    assert (invitation.email, invitation.team_id, invitation.accepted_at) == ("new@example.com", team.id, None)
    assert OutboxMail.select().where(OutboxMail.kind == "invitation",
                                     OutboxMail.recipient == "new@example.com").count() == 1
    assert call("ada", "POST", f"/api/v1/teams/{team.id}/members", json={"email": "nope"}).status_code == 422
    emails = [m["email"] for m in call("bob", "GET", f"/api/v1/teams/{team.id}/members").json]
    assert emails == ["ada@example.com", "bob@example.com", "cleo@example.com"]
    gone = call("ada", "DELETE", f"/api/v1/teams/{team.id}/members", json={"email": "cleo@example.com"})
    assert gone.status_code == 200 and gone.json == {"email": "cleo@example.com", "changes": []}
    assert call("ada", "DELETE", f"/api/v1/teams/{team.id}/members", json={"email": "cleo@example.com"}
                ).status_code == 404


def test_team_event_types_carry_kind_and_member_emails(call, team):
    body = {"title": "Demo", "slug": "demo", "duration_minutes": 30, "minimum_notice_minutes": 0,
            "kind": "collective", "member_emails": ["ada@example.com", "bob@example.com"]}
    made = call("ada", "POST", f"/api/v1/teams/{team.id}/event-types", json=body)
    assert made.status_code == 201
    assert (made.json["kind"], made.json["member_emails"], made.json["slug"]) == (
        "collective", ["ada@example.com", "bob@example.com"], "demo")
    assert call("bob", "POST", f"/api/v1/teams/{team.id}/event-types", json=body).status_code == 403
    bad = call("ada", "POST", f"/api/v1/teams/{team.id}/event-types",
               json={**body, "slug": "demo", "kind": "solo", "member_emails": ["zed@example.com"]})
    assert bad.status_code == 422 and {"slug", "kind", "member_emails"} <= set(bad.json["fields"])
    listed = call("bob", "GET", f"/api/v1/teams/{team.id}/event-types").json
    assert [k["slug"] for k in listed] == ["demo"]
    patched = call("ada", "PATCH", f"/api/v1/teams/{team.id}/event-types/{made.json['id']}",
                   json={"kind": "round_robin", "member_emails": ["bob@example.com"]})
    assert (patched.json["kind"], patched.json["member_emails"]) == ("round_robin", ["bob@example.com"])


def test_member_reads_availability_books_moves_and_cancels_every_copy(call, bob, team, make_type, day):
    make_type("collective", slug="together")
    appointments.create_blocked_slot(bob, at(day, 10), at(day, 11), "Busy")
    free = call("bob", "GET", f"/api/v1/availability?team=sales&event_type=together&start={day}&end={day}")
    assert free.status_code == 200 and free.json["timezone"] == "Europe/Berlin"
    assert at(day, 9).isoformat() in free.json["slots"] and at(day, 10).isoformat() not in free.json["slots"]
    booked = call("bob", "POST", "/api/v1/appointments",
                  json={"team": "sales", "event_type": "together", "start": at(day, 9).isoformat(),
                        "contact": {"name": "Cleo", "email": "cleo@example.com"}})
    assert booked.status_code == 201
    ids = booked.json["appointment_ids"]
    assert booked.json["id"] == ids[0] and len(ids) == 2
    assert booked.json["members"] == ["ada@example.com", "bob@example.com"]
    taken = call("bob", "POST", "/api/v1/appointments",
                 json={"team": team.id, "event_type": "together", "start": at(day, 10).isoformat()})
    assert taken.status_code == 409
    moved = call("bob", "PATCH", f"/api/v1/appointments/{ids[0]}",  # Ada's copy, moved by Bob
                 json={"start": at(day, 14).isoformat(), "end": (at(day, 14) + timedelta(minutes=30)).isoformat()})
    assert moved.status_code == 200 and moved.json["start"] == at(day, 14).astimezone(UTC).isoformat()
    assert {a.start_utc for a in Appointment.select().where(Appointment.id.in_(ids))} == {
        at(day, 14).astimezone(UTC).replace(tzinfo=None)}
    assert call("ada", "DELETE", f"/api/v1/appointments/{ids[1]}").status_code == 204
    assert {a.status for a in Appointment.select().where(Appointment.id.in_(ids))} == {Appointment.CANCELLED}


def test_round_robin_booking_answers_whom_it_was_assigned_to(call, make_type, day):
    make_type("round_robin", slug="anyone")
    first = call("bob", "POST", "/api/v1/appointments", json={"team": "sales", "event_type": "anyone",
                                                              "start": at(day, 9).isoformat()})
    second = call("bob", "POST", "/api/v1/appointments", json={"team": "sales", "event_type": "anyone",
                                                               "start": at(day, 9).isoformat()})
    assert first.json["members"] == ["ada@example.com"] and second.json["members"] == ["bob@example.com"]
    third = call("bob", "POST", "/api/v1/appointments", json={"team": "sales", "event_type": "anyone",
                                                              "start": at(day, 9).isoformat()})
    assert third.status_code == 409
    wrong = call("bob", "POST", "/api/v1/appointments", json={"team": "sales", "event_type": "nope",
                                                              "start": at(day, 9).isoformat()})
    assert wrong.status_code == 422
