"""The rules in the API (/api/v1/accounts, PATCH /api/v1/calendars/<id>) and on Calendar Configuration."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from webapp.auth import issue_api_token
from webapp.models import CalendarAccount, RemoteCalendar

BASE = "/settings/profile/calendar-configuration"
DAY = datetime(2030, 3, 4)


@pytest.fixture
def bearer(app, mirror) -> dict[str, str]:
    with app.app_context():
        return {"Authorization": f"Bearer {issue_api_token(mirror.owner)}"}


def test_accounts_list_each_calendar_with_its_rules_on_by_default(client, bearer, mirror):
    (account,) = client.get("/api/v1/accounts", headers=bearer).get_json()
    (cal,) = account["calendars"]
    assert cal["id"] == mirror.calendar_id and cal["role"] == "conflict"
    assert (cal["all_day_events_block"], cal["travel_time_blocks"], cal["tentative_blocks"]) == (True, True, True)


def test_patch_sets_any_of_the_rules_and_answers_the_calendar(client, bearer, mirror):
    response = client.patch(f"/api/v1/calendars/{mirror.calendar_id}", json={"travel_time_blocks": False},
                            headers=bearer)
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == mirror.calendar_id and body["travel_time_blocks"] is False
    assert body["all_day_events_block"] is True and body["tentative_blocks"] is True
    listed = client.get("/api/v1/accounts", headers=bearer).get_json()[0]["calendars"][0]
    assert listed["travel_time_blocks"] is False


@pytest.mark.parametrize("body", [{"travel_time_blocks": "false"}, {"tentative_blocks": 1},
                                  {"all_day_events_block": None}, {"colour": True}, ["travel_time_blocks"], "x"])
def test_patch_refuses_anything_but_strict_booleans_of_known_rules_with_422(client, bearer, mirror, app, body):
    response = client.patch(f"/api/v1/calendars/{mirror.calendar_id}", json=body, headers=bearer)
    assert response.status_code == 422 and response.get_json()["message"]
    with app.app_context():
        cal = RemoteCalendar.get_by_id(mirror.calendar_id)
        assert (cal.all_day_events_block, cal.travel_time_blocks, cal.tentative_blocks) == (True, True, True)


def test_patch_of_another_users_calendar_is_404(client, bearer, make_user, app):
    other = make_user(email="bob@example.com")
    with app.app_context():
        account = CalendarAccount.create(owner=other, email="bob@icloud.example")
        cal = RemoteCalendar.create(account=account, url="https://caldav.example/bob/", name="Bob's")
    response = client.patch(f"/api/v1/calendars/{cal.id}", json={"travel_time_blocks": False}, headers=bearer)
    assert response.status_code == 404
    with app.app_context():
        assert RemoteCalendar.get_by_id(cal.id).travel_time_blocks is True


def test_blocked_slots_carry_travel_minutes_tentative_and_whether_they_block(client, bearer, mirror):
    mirror.slot(DAY.replace(hour=9), DAY.replace(hour=10), travel_minutes=25, tentative=True)
    mirror.set(tentative_blocks=False)
    (item,) = client.get("/api/v1/calendar?start=2030-03-04&end=2030-03-05", headers=bearer).get_json()["items"]
    assert (item["travel_minutes"], item["tentative"], item["blocks"]) == (25, True, False)
    assert item["start"] == "2030-03-04T09:00:00+00:00"  # the event's own start, travel kept apart


def test_openapi_describes_the_calendar_patch_and_the_explanation(client):
    with client.get("/api/v1/openapi.json") as served:
        paths = served.get_json()["paths"]
    assert "patch" in paths["/calendars/{calendar_id}"] and "get" in paths["/availability/explain"]


# --- the page ------------------------------------------------------------------------------------

def htmx(client) -> dict[str, str]:
    return {"HX-Request": "true", "X-CSRFToken": client.csrf}


def test_each_chosen_calendar_shows_its_rules_on_calendar_configuration(logged_in, mirror):
    page = logged_in.get(BASE).get_data(as_text=True)
    assert f'id="calendar-rules-{mirror.calendar_id}"' in page
    assert "travel time blocks the time before an event" in page and page.count("checked") >= 3


def test_saving_the_rules_form_stores_unticked_boxes_as_off_without_asking_for_a_sync(app, logged_in, mirror):
    from tests.conftest import SyncRuns

    runs = SyncRuns(app)
    response = logged_in.post(f"{BASE}/calendars/{mirror.calendar_id}/rules",
                              data={"all_day_events_block": "on"}, headers=htmx(logged_in))
    assert response.status_code == 200 and "Saved" in response.get_data(as_text=True)
    with app.app_context():
        cal = RemoteCalendar.get_by_id(mirror.calendar_id)
        assert (cal.all_day_events_block, cal.travel_time_blocks, cal.tentative_blocks) == (True, False, False)
    assert runs.take() == []


def test_the_rules_form_answers_422_to_a_value_no_checkbox_sends(app, logged_in, mirror):
    response = logged_in.post(f"{BASE}/calendars/{mirror.calendar_id}/rules",
                              data={"travel_time_blocks": "maybe"}, headers=htmx(logged_in))
    assert response.status_code == 422 and 'role="alert"' in response.get_data(as_text=True)
    with app.app_context():
        assert RemoteCalendar.get_by_id(mirror.calendar_id).travel_time_blocks is True


def test_the_rules_form_needs_its_csrf_token(app, logged_in, mirror):
    response = logged_in.post(f"{BASE}/calendars/{mirror.calendar_id}/rules", data={}, headers={"HX-Request": "true"})
    assert response.status_code in (400, 403)
    with app.app_context():
        assert RemoteCalendar.get_by_id(mirror.calendar_id).travel_time_blocks is True


def test_another_users_calendar_rules_are_404_on_the_page(app, logged_in, make_user):
    other = make_user(email="bob@example.com")
    with app.app_context():
        account = CalendarAccount.create(owner=other, email="bob@icloud.example")
        cal = RemoteCalendar.create(account=account, url="https://caldav.example/bob/", name="Bob's")
    assert logged_in.get(f"{BASE}/calendars/{cal.id}/rules").status_code == 404
    response = logged_in.post(f"{BASE}/calendars/{cal.id}/rules", data={}, headers=htmx(logged_in))
    assert response.status_code == 404


def test_the_week_view_marks_a_slot_that_does_not_block_and_draws_travel_time(logged_in, mirror):
    mirror.slot(DAY.replace(hour=9), DAY.replace(hour=10), travel_minutes=30, title="Dentist")
    mirror.slot(DAY.replace(hour=12), DAY.replace(hour=13), tentative=True, title="Review")
    mirror.set(tentative_blocks=False)
    html = logged_in.get("/calendar/week?week=2030-03-04").get_data(as_text=True)
    assert "cal-travel" in html and "Travel time 30 minutes" in html
    assert "is-nonblocking" in html and "does not block" in html
    assert 'data-height="0.500"' in html
