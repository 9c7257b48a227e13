""""Why is this time busy?": the pure reasons, the domain wrapper behind GET /api/v1/availability/explain,
and the side panel of the week view."""
from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

from tests.explain.conftest import BERLIN, next_monday, utc
from webapp.calendars.availability import Rules
from webapp.calendars.explain import Thing, explain
from webapp.calendars.rules import CalendarRules
from webapp.models import Appointment, DateOverride, EventType

UTC = ZoneInfo("UTC")
NOW = datetime(2030, 3, 1, tzinfo=UTC)
MONDAY = datetime(2030, 3, 4)  # naive UTC midnight; Berlin is UTC+1 then


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2030, 3, 4, hour, minute, tzinfo=BERLIN)


def kinds(found) -> dict[str, bool]:
    return {r.kind: r.prevents for r in found.reasons}


def test_a_free_time_in_working_hours_is_offered_with_its_reasons_in_words():
    found = explain(at(10), Rules(), BERLIN, NOW, [])
    assert found.offered and found.summary == "This time is offered."
    assert kinds(found) == {"working_hours": False, "grid": False, "notice": False, "horizon": False}
    assert "Working hours on Mondays: 09:00–17:00" in found.reasons[0].text


def test_outside_working_hours_off_the_grid_and_too_soon_each_say_why():
    assert kinds(explain(at(18), Rules(), BERLIN, NOW, []))["working_hours"] is True
    off_grid = explain(at(10, 15), Rules(step_minutes=30), BERLIN, NOW, [])
    assert not off_grid.offered and "10:00 or 10:30, not 10:15" in off_grid.summary
    soon = explain(at(10), Rules(), BERLIN, at(8).astimezone(UTC), [])
    assert kinds(soon)["notice"] is True and "earliest start now is Monday 4 March 2030 12:00" in soon.summary
    far = explain(at(10), Rules(horizon_days=1), BERLIN, NOW, [])
    assert kinds(far)["horizon"] is True


def test_a_date_override_closes_or_changes_the_day():
    closed = explain(at(10), Rules(overrides={MONDAY.date(): ()}), BERLIN, NOW, [])
    assert not closed.offered and "closed" in closed.summary and kinds(closed)["date_override"]
    other = explain(at(10), Rules(overrides={MONDAY.date(): ((600, 720),)}), BERLIN, NOW, [])
    assert other.offered and "other hours (10:00–12:00)" in other.reasons[0].text


def test_each_blocked_slot_says_its_calendar_and_rule_and_a_rule_off_does_not_block():
    travel = Thing("blocked_slot", 7, "Dentist", MONDAY.replace(hour=10), MONDAY.replace(hour=11),
                   travel_minutes=30, calendar="Home")
    found = explain(at(10, 30), Rules(), BERLIN, NOW, [travel])  # 10:30 Berlin = 09:30 UTC, travel from 09:30 UTC
    (reason,) = [r for r in found.reasons if r.kind == "blocked_slot"]
    assert not found.offered and reason.prevents and reason.details["calendar"] == "Home"
    assert reason.details["rule"] == "travel_time" and reason.details["blocked_slot_id"] == 7
    assert "travel time of 30 minutes, from 10:30, overlaps" in reason.text
    off = Thing("blocked_slot", 7, "Dentist", MONDAY.replace(hour=10), MONDAY.replace(hour=11), travel_minutes=30,
                calendar="Home", rules=CalendarRules(travel_time_blocks=False))
    assert explain(at(10, 30), Rules(), BERLIN, NOW, [off]).offered
    all_day = Thing("blocked_slot", 8, "Offsite", MONDAY - timedelta(hours=1), MONDAY + timedelta(hours=23),
                    all_day=True, calendar="Work", rules=CalendarRules(all_day_events_block=False))
    found = explain(at(10), Rules(), BERLIN, NOW, [all_day])
    (reason,) = [r for r in found.reasons if r.kind == "blocked_slot"]
    assert found.offered and not reason.prevents and "does not block: the calendar's all-day rule is off" in reason.text
    tentative = Thing("blocked_slot", 9, "Review", MONDAY.replace(hour=9), MONDAY.replace(hour=10), tentative=True,
                      calendar="Work")
    (reason,) = [r for r in explain(at(10), Rules(), BERLIN, NOW, [tentative]).reasons if r.kind == "blocked_slot"]
    assert reason.prevents and reason.details["rule"] == "tentative" and "not yet accepted" in reason.text


def test_buffers_and_limits_are_reasons_too():
    before = Thing("appointment", 3, "Call", MONDAY.replace(hour=8, minute=45), MONDAY.replace(hour=9))
    found = explain(at(10), Rules(buffer_before_minutes=15, daily_limit=1), BERLIN, NOW, [before],
                    booked=[MONDAY.replace(hour=8, minute=45)], title="Intro call")
    assert kinds(found)["buffers"] is False
    assert kinds(found)["daily_limit"] is True and "Intro call takes at most 1 a day; 1 booked" in found.summary
    (reason,) = [r for r in found.reasons if r.kind == "appointment"]
    assert reason.prevents and "falls within the buffer before" in reason.text


# --- the API -------------------------------------------------------------------------------------

def test_the_api_explains_a_busy_time_with_the_blocked_slot_and_its_calendar(app, client, bearer, mirror):
    day = next_monday()
    slot_id = mirror.slot(utc(day, 10), utc(day, 11), travel_minutes=30, title="Dentist")
    start = datetime(day.year, day.month, day.day, 9, 30, tzinfo=BERLIN).isoformat()
    body = client.get(f"/api/v1/availability/explain?start={quote(start)}", headers=bearer).get_json()
    assert body["offered"] is False and body["start"] == start
    assert body["end"] == datetime(day.year, day.month, day.day, 10, 0, tzinfo=BERLIN).isoformat()
    (reason,) = [r for r in body["reasons"] if r["kind"] == "blocked_slot"]
    assert (reason["calendar"], reason["rule"], reason["blocked_slot_id"]) == ("Home", "travel_time", slot_id)
    assert reason["start"] == datetime(day.year, day.month, day.day, 10, tzinfo=BERLIN).isoformat()
    assert reason["prevents"] is True and "travel time" in reason["text"]

    mirror.set(travel_time_blocks=False)
    body = client.get(f"/api/v1/availability/explain?start={quote(start)}", headers=bearer).get_json()
    assert body["offered"] is True


def test_the_api_agrees_with_the_availability_it_lists(app, client, bearer, mirror):
    day = next_monday()
    mirror.slot(utc(day, 11), utc(day, 12), title="Lunch")
    listed = client.get(f"/api/v1/availability?start={day}&end={day}", headers=bearer).get_json()["slots"]
    for hour in range(8, 18):
        start = datetime(day.year, day.month, day.day, hour, 0, tzinfo=BERLIN).isoformat()
        body = client.get(f"/api/v1/availability/explain?start={quote(start)}", headers=bearer).get_json()
        assert body["offered"] == (start in listed), (start, body["reasons"])


def test_the_api_takes_an_event_type_by_slug_or_id_with_its_buffers_and_limits(app, client, bearer, mirror):
    day = next_monday()
    with app.app_context():
        kind = EventType.create(owner=mirror.owner, title="Deep dive", slug="deep-dive", duration_minutes=60,
                                buffer_after_minutes=30, daily_limit=1, position=5)
        Appointment.create(owner=mirror.owner, event_type=kind, title="Booked", start_utc=utc(day, 15),
                           end_utc=utc(day, 16))
    start = quote(datetime(day.year, day.month, day.day, 9, 0, tzinfo=BERLIN).isoformat())
    for key in ("deep-dive", str(kind.id)):
        body = client.get(f"/api/v1/availability/explain?start={start}&event_type={key}", headers=bearer).get_json()
        found = {r["kind"]: r for r in body["reasons"]}
        assert body["offered"] is False and found["daily_limit"]["prevents"] and "buffers" in found


def test_a_closed_date_override_is_the_reason(app, client, bearer, mirror):
    day = next_monday()
    with app.app_context():
        DateOverride.create(owner=mirror.owner, start_date=day, end_date=day, closed=True)
    start = quote(datetime(day.year, day.month, day.day, 10, 0, tzinfo=BERLIN).isoformat())
    body = client.get(f"/api/v1/availability/explain?start={start}", headers=bearer).get_json()
    assert body["offered"] is False and [r["kind"] for r in body["reasons"] if r["prevents"]] == ["date_override"]


@pytest.mark.parametrize("query", ["", "?start=tomorrow", "?start=2030-03-04", "?start=2030-03-04T10:00",
                                   "?start=2030-03-04T10:00:00%2B01:00&event_type=nope",
                                   "?start=9999-03-04T10:00:00%2B01:00"])
def test_the_api_answers_bad_input_with_422_in_words(client, bearer, query):
    response = client.get(f"/api/v1/availability/explain{query}", headers=bearer)
    assert response.status_code == 422 and response.get_json()["message"]


def test_the_api_needs_a_token(client):
    assert client.get("/api/v1/availability/explain?start=2030-03-04T10:00:00%2B01:00").status_code == 401


# --- the week view's side panel ------------------------------------------------------------------

def test_the_panel_explains_a_time_in_words_and_re_asks_with_a_labelled_form(logged_in, mirror):
    day = next_monday()
    mirror.slot(utc(day, 12), utc(day, 13), title="Lunch", all_day=False)
    html = logged_in.get(f"/calendar/explain?date={day}&time=12:30", headers={"HX-Request": "true"}).get_data(
        as_text=True)
    assert "Not offered" in html and "Lunch" in html and "(Home)" in html
    assert 'for="explain-date"' in html and 'for="explain-time"' in html


def test_the_panel_answers_422_with_the_message_next_to_the_field(logged_in, mirror):
    response = logged_in.get("/calendar/explain?date=soon&time=25:00", headers={"HX-Request": "true"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and "Enter a date and a time." in html
