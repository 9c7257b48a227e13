"""/api/v1/event-types, /api/v1/date-overrides, and event types in availability and appointments."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from webapp.models import Appointment

from .conftest import at

NEW = {"title": "Consultation", "slug": "consultation", "duration_minutes": 60, "description": "An hour",
       "location": "https://meet.example.com/ada", "color": "#2563EB", "buffer_before_minutes": 0,
       "buffer_after_minutes": 15, "minimum_notice_minutes": 60, "horizon_days": 90, "step_minutes": 60,
       "daily_limit": 2, "weekly_limit": 5, "active": True}


def slots(api, day, **query) -> list[str]:
    q = "&".join(f"{k}={v}" for k, v in query.items())
    body = api.get(f"/api/v1/availability?start={day}&end={day}&{q}").json
    return [s[11:16] for s in body["slots"]]


def test_the_first_event_type_is_the_old_settings_and_a_new_one_answers_201_with_every_field(api):
    [first] = api.get("/api/v1/event-types").json
    assert (first["title"], first["slug"], first["duration_minutes"], first["minimum_notice_minutes"],
            first["horizon_days"], first["step_minutes"], first["active"]) == (
        "Appointment", "appointment", 30, 240, 60, None, True)
    response = api.post("/api/v1/event-types", json=NEW)
    assert response.status_code == 201
    body = response.json
    assert body["id"] and body == {**NEW, "color": "#2563eb", "id": body["id"]}
    assert api.get(f"/api/v1/event-types/{body['id']}").json == body
    assert [k["slug"] for k in api.get("/api/v1/event-types").json] == ["appointment", "consultation"]


def test_patch_changes_only_what_it_names_and_delete_keeps_the_last_type(api):
    created = api.post("/api/v1/event-types", json={"title": "Quick call", "duration_minutes": 15}).json
    assert created["slug"] == "quick-call" and created["buffer_after_minutes"] == 0
    patched = api.patch(f"/api/v1/event-types/{created['id']}", json={"daily_limit": 3, "active": False})
    assert patched.status_code == 200 and patched.json["daily_limit"] == 3 and patched.json["title"] == "Quick call"
    assert api.delete(f"/api/v1/event-types/{created['id']}").status_code == 204
    [last] = api.get("/api/v1/event-types").json
    refused = api.delete(f"/api/v1/event-types/{last['id']}")
    assert refused.status_code == 422 and "only event type" in refused.json["message"]
    assert api.get("/api/v1/event-types/999999").status_code == 404


@pytest.mark.parametrize("change, field", [
    ({"title": ""}, "title"), ({"duration_minutes": 0}, "duration_minutes"),
    ({"duration_minutes": "60"}, "duration_minutes"), ({"slug": "Bad Slug"}, "slug"), ({"slug": "month"}, "slug"),
    ({"slug": "appointment"}, "slug"), ({"step_minutes": 20}, "step_minutes"), ({"daily_limit": 0}, "daily_limit"),
    ({"weekly_limit": True}, "weekly_limit"), ({"color": "red"}, "color"), ({"active": "yes"}, "active"),
    ({"location": "javascript://x"}, "location"), ({"colour": "#000000"}, "colour"),
    ({"horizon_days": 10_000}, "horizon_days"),
])
def test_bad_event_types_are_refused_with_the_field_named(api, change, field):
    response = api.post("/api/v1/event-types", json={**NEW, **change})
    assert response.status_code == 422 and field in response.json["fields"]
    assert len(api.get("/api/v1/event-types").json) == 1  # nothing saved


def test_a_body_that_is_not_json_is_400(api):
    assert api.post("/api/v1/event-types", data="x").status_code == 400
    assert api.post("/api/v1/date-overrides", data="x").status_code == 400


def test_a_60_minute_step_from_nine_offers_whole_hours_only(api, day):
    api.post("/api/v1/event-types", json={**NEW, "daily_limit": None, "buffer_after_minutes": 0,
                                          "duration_minutes": 30})
    assert slots(api, day, event_type="consultation") == [f"{h:02d}:00" for h in range(9, 17)]
    assert "10:30" in slots(api, day)  # the default type keeps its 30-minute grid
    assert slots(api, day, duration=60)[:3] == ["09:00", "09:30", "10:00"]  # duration= still works


def test_date_overrides_and_time_off_shape_availability(api, day):
    closed = api.post("/api/v1/date-overrides", json={"date": day.isoformat(), "closed": True})
    assert closed.status_code == 201 and closed.json == {"id": closed.json["id"], "date": day.isoformat(),
                                                          "closed": True, "ranges": []}
    assert slots(api, day) == []
    tuesday = day + timedelta(days=1)
    other = api.post("/api/v1/date-overrides", json={"date": tuesday.isoformat(),
                                                      "ranges": [["13:00", "14:00"], ["18:00", "19:00"]]})
    assert other.status_code == 201
    assert slots(api, tuesday) == ["13:00", "13:30", "18:00", "18:30"]
    week = api.post("/api/v1/date-overrides", json={"start_date": tuesday.isoformat(),
                                                     "end_date": (tuesday + timedelta(days=2)).isoformat(),
                                                     "closed": True})
    assert week.status_code == 201 and set(week.json) == {"id", "start_date", "end_date", "closed"}
    assert slots(api, tuesday) == [] and slots(api, tuesday + timedelta(days=2)) == []
    assert slots(api, tuesday + timedelta(days=3))  # Friday works again
    assert len(api.get("/api/v1/date-overrides").json) == 3
    assert api.delete(f"/api/v1/date-overrides/{closed.json['id']}").status_code == 204
    assert slots(api, day)
    assert api.delete(f"/api/v1/date-overrides/{closed.json['id']}").status_code == 404


@pytest.mark.parametrize("body, words", [
    ({"date": "2026-13-01", "closed": True}, "not a date"),
    ({"date": "2026-06-01"}, "working ranges"),
    ({"date": "2026-06-01", "ranges": [["12:00", "09:00"]]}, "ends before"),
    ({"date": "2026-06-01", "ranges": [["09:00"]]}, "start and an end"),
    ({"date": "2026-06-01", "closed": True, "ranges": [["09:00", "10:00"]]}, "no working ranges"),
    ({"start_date": "2026-06-05", "end_date": "2026-06-01", "closed": True}, "ends before"),
    ({"start_date": "2026-01-01", "end_date": "2027-06-01", "closed": True}, "at most 366"),
    ({"start_date": "2026-06-01", "end_date": "2026-06-05"}, "closed"),
    ({"when": "tomorrow"}, "not a field"),
    ({"date": "9999-01-01", "closed": True}, "too far"),
])
def test_bad_date_overrides_are_refused_in_words(api, body, words):
    response = api.post("/api/v1/date-overrides", json=body)
    assert response.status_code == 422 and words in response.json["message"]
    assert api.get("/api/v1/date-overrides").json == []


def test_a_second_override_of_one_date_is_refused(api, day):
    assert api.post("/api/v1/date-overrides", json={"date": day.isoformat(), "closed": True}).status_code == 201
    again = api.post("/api/v1/date-overrides", json={"date": day.isoformat(), "ranges": [["09:00", "10:00"]]})
    assert again.status_code == 422 and "already has an override" in again.json["message"]


def test_booking_an_event_type_follows_its_rules_and_limits(app, api, day):
    kind = api.post("/api/v1/event-types", json={**NEW, "daily_limit": 1}).json
    first = api.post("/api/v1/appointments", json={"start": at(day, 10).isoformat(), "event_type": "consultation",
                                                   "contact": {"name": "Grace", "email": "g@example.com"}})
    assert first.status_code == 201
    assert first.json["event_type"] == {"id": kind["id"], "slug": "consultation"}
    assert first.json["title"] == "Consultation with Grace"
    with app.app_context():
        a = Appointment.get_by_id(first.json["id"])
        assert a.end_utc - a.start_utc == timedelta(minutes=60)
    full = api.post("/api/v1/appointments", json={"start": at(day, 14).isoformat(), "event_type": kind["id"],
                                                  "contact": {"name": "Bob", "email": "b@example.com"}})
    assert full.status_code == 409 and "at most 1 a day" in full.json["message"]
    assert slots(api, day, event_type="consultation") == []
    off_grid = api.post("/api/v1/appointments", json={"start": at(day + timedelta(days=1), 10, 30).isoformat(),
                                                      "event_type": "consultation"})
    assert off_grid.status_code == 409
    wrong_length = api.post("/api/v1/appointments", json={
        "start": at(day + timedelta(days=1), 10).isoformat(), "end": at(day + timedelta(days=1), 10, 30).isoformat(),
        "event_type": "consultation"})
    assert wrong_length.status_code == 422 and "60 minutes" in wrong_length.json["message"]
    unknown = api.post("/api/v1/appointments", json={"start": at(day, 10).isoformat(), "event_type": "nope"})
    assert unknown.status_code == 422
    # the owner's own booking without a type is not held to the grid (today's rule)
    free = api.post("/api/v1/appointments", json={"start": at(day, 15, 10).isoformat(),
                                                  "end": at(day, 15, 40).isoformat()})
    assert free.status_code == 201 and free.json["event_type"]["slug"] == "appointment"


def test_availability_of_an_unknown_type_or_with_both_parameters_is_400(api, day):
    assert api.get(f"/api/v1/availability?start={day}&end={day}&event_type=nope").status_code == 400
    assert api.get(f"/api/v1/availability?start={day}&end={day}&event_type=appointment&duration=30").status_code == 400


def test_the_openapi_description_lists_every_api_route(app, client):
    described = json.loads((Path(__file__).parents[2] / "webapp/views/api/openapi.json").read_text())["paths"]
    with client.get("/api/v1/openapi.json") as served:
        assert served.json["paths"] == described
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule == "/api/v1/openapi.json":
            continue
        path = rule.rule.removeprefix("/api/v1").replace("<int:", "{").replace("<id:", "{").replace(">", "}")
        path = path.replace("{appointment_id}", "{id}").replace("{slot_id}", "{id}").replace(
            "{type_id}", "{id}").replace("{override_id}", "{id}").replace("{subscription_id}", "{id}")
        assert path in described, rule.rule
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in described[path], f"{method} {rule.rule}"
