"""Input fuzzing of the JSON API (driven by its OpenAPI description) and of the forms: no 500s,
no garbage stored."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp.auth import issue_api_token
from webapp.models import Appointment, BlockedSlot, Contact, User

OPENAPI = json.loads((Path(__file__).parents[2] / "webapp" / "views" / "api" / "openapi.json").read_text())
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

junk = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**63), st.floats(allow_nan=True),
    st.text(max_size=30), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
moments = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1),
                       timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=-5)), timezone(timedelta(hours=14))]))
time_text = st.one_of(
    moments.map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),  # naive: must be refused, not guessed
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["", "tomorrow", "2026-02-30T10:00:00+01:00", "9999-12-31T23:59:59+00:00", "2026-13-01"]),
    junk,
)
NOW = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
plausible_start = st.integers(min_value=-48, max_value=24 * 90).map(lambda h: NOW + timedelta(hours=h))


@st.composite
def plausible_times(draw) -> dict:
    """Start and end near now (often valid, sometimes reversed), so fuzzing reaches the write paths."""
    start = draw(plausible_start)
    end = start + timedelta(minutes=draw(st.integers(min_value=-60, max_value=240)))
    zone = draw(st.sampled_from([timezone.utc, timezone(timedelta(hours=2)), timezone(timedelta(hours=-7))]))
    return {"start": start.astimezone(zone).isoformat(), "end": end.astimezone(zone).isoformat()}


contact = st.one_of(junk, st.fixed_dictionaries({"name": st.one_of(st.text(max_size=300), junk),
                                                  "email": st.one_of(st.emails(), st.text(max_size=40), junk)}))
appointment_body = st.one_of(
    junk,
    st.fixed_dictionaries({"start": time_text, "end": time_text, "title": st.one_of(st.text(max_size=500), junk),
                           "contact": contact}),
    st.builds(lambda t, title, c: {**t, "title": title, "contact": c}, plausible_times(), st.text(max_size=300),
              st.fixed_dictionaries({"name": st.text(min_size=1, max_size=60), "email": st.emails()})),
)
slot_body = st.one_of(
    junk,
    st.fixed_dictionaries({"start": time_text, "end": time_text, "title": st.one_of(st.text(max_size=2000), junk)}),
    st.builds(lambda t, title: {**t, "title": title}, plausible_times(), st.one_of(st.text(max_size=2000), junk)),
)
config_body = st.one_of(junk, st.fixed_dictionaries(
    {"primary_calendar_id": st.one_of(st.integers(), junk), "conflict_calendar_ids": st.one_of(st.lists(st.integers(), max_size=4), junk)}))
query_value = st.one_of(time_text.map(str), st.text(max_size=20))


@pytest.fixture
def api(app, user):
    with app.app_context():
        token = issue_api_token(User.get_by_id(user.id))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def call(method: str, path: str, **kw):
        response = client.open(path, method=method, headers=headers, **kw)
        assert response.status_code < 500, (method, path, kw, response.get_data(as_text=True))
        if response.status_code != 204:
            assert response.is_json, (method, path, response.get_data(as_text=True)[:200])
        return response

    return call


def assert_nothing_garbled(app) -> None:
    with app.app_context():
        for row in Appointment.select():
            assert row.end_utc > row.start_utc and row.start_utc.tzinfo is None
            assert row.contact is None or "@" in row.contact.email
        for row in BlockedSlot.select():
            assert row.end_utc > row.start_utc
        for row in Contact.select():
            assert "@" in row.email and row.name.strip()


def test_every_documented_route_answers_json(api):
    for path, item in OPENAPI["paths"].items():
        for method in item:
            if method == "parameters":
                continue
            concrete = "/api/v1" + path.replace("{id}", "999999")
            kwargs = {"json": {}} if method in ("post", "put", "patch") else {}
            api(method.upper(), concrete, **kwargs)


@FUZZ
@given(body=appointment_body)
def test_fuzzed_appointment_bookings_never_fail_or_store_garbage(api, app, body):
    response = api("POST", "/api/v1/appointments", json=body)
    assert response.status_code in (201, 400, 409, 422)
    if response.status_code == 201:
        assert isinstance(response.json["id"], int)
        assert api("PATCH", f"/api/v1/appointments/{response.json['id']}", json=body).status_code in (200, 400, 409, 422)
    assert_nothing_garbled(app)


@FUZZ
@given(body=slot_body)
def test_fuzzed_blocked_slots_never_fail_or_store_garbage(api, app, body):
    response = api("POST", "/api/v1/blocked-slots", json=body)
    assert response.status_code in (201, 400, 422)
    assert_nothing_garbled(app)


@FUZZ
@given(body=config_body)
def test_fuzzed_calendar_configuration_never_fails(api, body):
    assert api("PUT", "/api/v1/calendar-configuration", json=body).status_code in (200, 400, 422)


@FUZZ
@given(start=query_value, end=query_value, duration=st.one_of(st.none(), st.integers().map(str), st.text(max_size=5)))
def test_fuzzed_calendar_and_availability_queries_never_fail(api, start, end, duration):
    assert api("GET", "/api/v1/calendar", query_string={"start": start, "end": end}).status_code in (200, 400, 422)
    query = {"start": start, "end": end} | ({"duration": duration} if duration is not None else {})
    assert api("GET", "/api/v1/availability", query_string=query).status_code in (200, 400, 422)


@FUZZ
@given(raw=st.binary(max_size=200), ident=st.one_of(st.integers(min_value=-5, max_value=2**40).map(str), st.text(max_size=8)))
def test_non_json_bodies_and_odd_ids_are_refused_in_words(api, raw, ident):
    assert api("POST", "/api/v1/appointments", data=raw, content_type="application/json").status_code in (400, 422, 409, 201)
    from urllib.parse import quote

    path_id = quote(ident, safe="") or "x"
    for method, path in (("PATCH", f"/api/v1/appointments/{path_id}"), ("DELETE", f"/api/v1/appointments/{path_id}"),
                         ("DELETE", f"/api/v1/blocked-slots/{path_id}")):
        assert api(method, path, json={"start": "x", "end": "y"}).status_code in (400, 404, 405, 422)


def _csrf(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(["email", "password", "name", "timezone", "remember"]),
                              st.text(max_size=80), max_size=5))
def test_fuzzed_sign_in_and_sign_up_forms_never_fail(app, user, fields):
    client = app.test_client()
    for path in ("/login", "/register"):
        token = _csrf(client, "/login")
        response = client.post(path, data={**fields, "csrf_token": token})
        assert response.status_code in (200, 302, 401, 404, 422, 429)  # 429: the sign-in throttle
    assert_nothing_garbled(app)


@FUZZ
@given(times=plausible_times(), title=st.text(max_size=300),
       person=st.fixed_dictionaries({"name": st.text(min_size=1, max_size=60), "email": st.emails()}))
def test_fuzzed_plausible_bookings_store_exactly_what_was_answered(api, app, times, title, person):
    response = api("POST", "/api/v1/appointments", json={**times, "title": title, "contact": person})
    assert response.status_code in (201, 409, 422), response.json
    if response.status_code == 201:
        with app.app_context():
            row = Appointment.get_by_id(response.json["id"])
            assert row.start_utc.replace(tzinfo=timezone.utc) == datetime.fromisoformat(times["start"])
            assert row.contact.email == person["email"].strip().lower()
    assert_nothing_garbled(app)
