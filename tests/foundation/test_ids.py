"""Ids from outside (URL parts, form fields, JSON bodies) that cannot name a row answer 404/400/422, never 500.

The route test walks the app's url_map, so a route added later is tried without editing this file.
"""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from webapp.ids import IdConverter, parse_id, parse_number

# Past SQLite's integer range, negative, a digit `str.isdigit()` accepts and `int()` refuses, not whole,
# one past the largest SQLite integer, zero.
BAD_IDS = ["99999999999999999999", "-1", "²", "1.5", "9223372036854775808", "0"]
ID_NAME = re.compile(r"(?:^|_)(?:id|ref)$")
ARGUMENT = re.compile(r"<(?:[a-zA-Z_][a-zA-Z0-9_]*(?:\([^)]*\))?:)?([a-zA-Z_][a-zA-Z0-9_]*)>")


def test_only_ascii_digits_in_sqlite_range_are_ids():
    assert parse_id("42") == 42 and parse_id(" 7 ") == 7 and parse_id(2**63 - 1) == 2**63 - 1
    for bad in [*BAD_IDS, "0", "", "٣", "1e3", "+1", "9" * 5000, 2**63, 0, -1, True, 1.0, None, [1], {"1": 1}]:
        assert parse_id(bad) is None, bad
    assert parse_number("²", 0, 10) is None and parse_number("10", 0, 10) == 10 and parse_number("11", 0, 10) is None


def _id_like(rule, name: str) -> bool:
    return isinstance(rule._converters.get(name), (IntegerConverter, IdConverter)) or bool(ID_NAME.search(name))


def _id_routes(app) -> list[tuple[str, str, str]]:
    """(method, rule, id argument) for every rule taking an id-like argument, every method it answers."""
    found = []
    for rule in app.url_map.iter_rules():
        for name in sorted(rule.arguments):
            if _id_like(rule, name):
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    found.append((method, rule, name))
    return found


def _path(rule, target: str, bad: str, slug: str, any_value: str) -> str:
    """The rule's path with `bad` as the id argument and sound values for the others."""

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name == target:
            return quote(bad, safe="")
        converter = rule._converters.get(name)
        if isinstance(converter, AnyConverter):
            return any_value if any_value in converter.items else sorted(converter.items)[0]
        if name == "slug":
            return slug
        return "1"

    return ARGUMENT.sub(fill, rule.rule)


def test_every_route_taking_an_id_refuses_odd_ids_without_a_500(app, logged_in, user):
    routes = _id_routes(app)
    endpoints = {rule.endpoint for _, rule, _ in routes}
    # The walk finds the routes known today (and any added later, with no change here).
    assert {"calendar.details", "calendar.reschedule", "calendar.cancel", "calendar.delete_blocked_slot",
            "api.get_appointment", "api.reschedule_appointment", "api.cancel_appointment",
            "api.delete_blocked_slot", "integrations.sync_now", "integrations.disconnect",
            "booking.confirmed"} <= endpoints
    headers = {"X-CSRFToken": logged_in.csrf}
    for method, rule, name in routes:
        anys = sorted(next((c.items for c in rule._converters.values() if isinstance(c, AnyConverter)), {""}))
        for any_value in anys:
            for bad in BAD_IDS:
                path = _path(rule, name, bad, user.booking_slug, any_value)
                body = {"start": "2030-01-01T10:00:00+00:00", "end": "2030-01-01T11:00:00+00:00"}
                response = logged_in.open(path, method=method, headers=headers,
                                          **({"json": body} if method in ("PATCH", "PUT") else {}))
                text = response.get_data(as_text=True)
                assert response.status_code in (400, 404), (method, path, response.status_code, text[:300])
                assert "form token" not in text, (method, path)  # refused for the id, not for CSRF


@pytest.fixture
def calendars(app, user, make_account) -> tuple[int, int]:
    """The user's account and its one calendar (ids), so the valid half of a form is valid."""
    from webapp.models import RemoteCalendar

    account = make_account(user, "ada@icloud.example", calendars={"http://127.0.0.1:9/cal/": ("Home", "none")})
    with app.app_context():
        return account.id, RemoteCalendar.get().id


BAD_VALUES = [*BAD_IDS, 99999999999999999999, -1, 1.5, True]


def test_odd_ids_in_calendar_configuration_forms_are_refused_in_words(logged_in, calendars):
    account_id, _ = calendars
    base = "/settings/profile/calendar-configuration"
    headers = {"X-CSRFToken": logged_in.csrf, "HX-Request": "true"}
    for bad in BAD_IDS:
        assert logged_in.get(f"{base}/primary/calendars", query_string={"account_id": bad}).status_code == 404
        for form in ({"account_id": bad, "calendar_id": "1"}, {"account_id": str(account_id), "calendar_id": bad}):
            response = logged_in.post(f"{base}/primary", data=form, headers=headers)
            assert response.status_code == 422, (form, response.status_code)
            assert "Nothing was changed" in response.get_data(as_text=True)
        response = logged_in.post(f"{base}/conflicts", data={"calendar_ids": bad}, headers=headers)
        assert response.status_code == 422 and "Nothing was changed" in response.get_data(as_text=True)


def test_odd_ids_in_the_configuration_api_body_are_refused_in_words(logged_in, calendars):
    _, calendar_id = calendars
    headers = {"X-CSRFToken": logged_in.csrf}
    for bad in BAD_VALUES:
        for body in ({"primary_calendar_id": bad, "conflict_calendar_ids": []},
                     {"primary_calendar_id": calendar_id, "conflict_calendar_ids": [bad]}):
            response = logged_in.put("/api/v1/calendar-configuration", json=body, headers=headers)
            assert response.status_code == 422, (body, response.status_code)
            assert response.json["message"]


def test_odd_numbers_in_duration_fields_are_refused_in_words(logged_in):
    headers = {"X-CSRFToken": logged_in.csrf, "HX-Request": "true"}
    for bad in ["²", "9" * 5000]:
        form = {"date": "2030-01-07", "start": "10:00", "duration": bad, "name": "Bo", "email": "bo@example.org"}
        response = logged_in.post("/calendar/appointments", data=form, headers=headers)
        assert response.status_code == 422 and "between 5 and 1440" in response.get_data(as_text=True)
        response = logged_in.get("/api/v1/availability",
                                 query_string={"start": "2030-01-07", "end": "2030-01-08", "duration": bad})
        assert response.status_code == 400 and "duration" in response.json["message"]
        form = {"title": "Call", "slug": "", "duration_minutes": bad, "csrf_token": logged_in.csrf}
        response = logged_in.post("/settings/event-types", data=form, headers=headers)
        assert response.status_code == 422 and "Duration is a whole number" in response.get_data(as_text=True)


@pytest.mark.parametrize("stored", ["²", "99999999999999999999", "-1", ""])
def test_a_session_naming_no_possible_user_is_signed_out_not_a_500(client, user, stored):
    with client.session_transaction() as session:
        session["_user_id"] = stored
        session["_fresh"] = True
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
