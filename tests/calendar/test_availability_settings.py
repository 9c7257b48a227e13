"""My Profile → Availability: shown, validated, saved, and used by the engine."""
from __future__ import annotations

import pytest

from webapp.models import User

HX = {"HX-Request": "true"}


@pytest.fixture
def signed_in(owner, auth, client):
    auth.login()
    client.hx = {**HX, "X-CSRFToken": auth.csrf_token()}
    return client


def valid(**change) -> dict:
    data = {"timezone": "America/New_York", "day0": "09:00–12:00, 13:00–17:00", "day1": "9:00-17:00",
            "day2": "", "day3": "08:00–16:00", "day4": "10:00 - 14:00", "day5": "", "day6": ""}
    data.update(change)
    return data


def test_tab_shows_the_defaults(signed_in):
    html = signed_in.get("/settings/profile/availability").get_data(as_text=True)
    assert 'value="09:00–17:00"' in html  # Monday
    assert 'id="day5" name="day5" value=""' in html  # Saturday off
    assert "Event types" in html  # where length, buffers, notice and horizon are set now
    assert "<option selected>Europe/Berlin</option>" in html
    assert "/book/" in html


def test_saving_stores_every_setting(app, signed_in, owner):
    response = signed_in.post("/settings/profile/availability", data=valid(), headers=signed_in.hx)
    assert "Availability saved." in response.get_data(as_text=True)
    with app.app_context():
        user = User.get_by_id(owner.id)
        assert user.timezone == "America/New_York"
        assert user.working_hours == {"0": [["09:00", "12:00"], ["13:00", "17:00"]], "1": [["09:00", "17:00"]],
                                      "3": [["08:00", "16:00"]], "4": [["10:00", "14:00"]]}


def test_saving_without_htmx_redirects_with_a_flash(signed_in):
    data = {**valid(), "csrf_token": signed_in.hx["X-CSRFToken"]}
    response = signed_in.post("/settings/profile/availability", data=data)
    assert response.status_code == 302
    assert "Availability saved." in signed_in.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("change, field, words", [
    ({"timezone": "Mars/Base"}, "timezone", "Choose a time zone"),
    ({"day0": "9 to 5"}, "day0", "not a range"),
    ({"day1": "17:00–09:00"}, "day1", "ends before it starts"),
    ({"day3": "09:00–12:00, 11:00–13:00"}, "day3", "must not overlap"),
    ({"day4": "09:00–25:00"}, "day4", "not a time of day"),
    ({f"day{d}": "" for d in range(7)}, "day0", "at least one day"),
])
def test_bad_settings_are_refused_next_to_their_field(app, signed_in, owner, change, field, words):
    response = signed_in.post("/settings/profile/availability", data=valid(**change), headers=signed_in.hx)
    assert response.status_code == 422  # a form with errors; htmx swaps it in like a 200
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and words in html
    assert "Availability saved." not in html
    with app.app_context():
        assert User.get_by_id(owner.id).timezone == "Europe/Berlin"  # nothing saved


def test_saved_settings_drive_the_api_availability(app, signed_in, owner, api, day):
    signed_in.post("/settings/profile/availability", headers=signed_in.hx, data=valid(timezone="Europe/Berlin"))
    first = api.get("/api/v1/event-types").json[0]
    assert api.patch(f"/api/v1/event-types/{first['id']}", json={"duration_minutes": 60}).status_code == 200
    body = api.get(f"/api/v1/availability?start={day}&end={day}").json
    assert body["duration"] == 60
    assert [s[11:16] for s in body["slots"]] == ["09:00", "10:00", "11:00", "13:00", "14:00", "15:00", "16:00"]


@pytest.mark.parametrize("change, field", [
    ({"day4": "09:00–25:00"}, "day4"), ({f"day{d}": "" for d in range(7)}, "day0"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"), ({"day0": "17:00–09:00"}, "day0"),
])
def test_the_limits_hold_outside_the_form_too_and_the_form_says_the_same(app, owner, signed_in, change, field):
    from webapp import availability_settings

    with app.app_context():
        with pytest.raises(availability_settings.SettingsRefused) as refused:
            availability_settings.update(User.get_by_id(owner.id), valid(**change))
        assert User.get_by_id(owner.id).timezone == "Europe/Berlin"  # nothing saved
    response = signed_in.post("/settings/profile/availability", data=valid(**change), headers=signed_in.hx)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert refused.value.errors[field].replace("'", "&#39;") in response.get_data(as_text=True)
