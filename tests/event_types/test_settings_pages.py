"""Settings → Event types and Availability → date overrides: HTMX forms, 422 with messages, plain-form fallbacks."""
from __future__ import annotations

from datetime import timedelta

import pytest

from webapp.models import DateOverride, EventType

HX = {"HX-Request": "true"}
FORM = {"title": "Consultation", "slug": "", "duration_minutes": "60", "buffer_before_minutes": "0",
        "buffer_after_minutes": "10", "minimum_notice_minutes": "0", "horizon_days": "30", "step_minutes": "30",
        "daily_limit": "2", "weekly_limit": "", "description": "", "location": "", "color": "", "active": "on"}


@pytest.fixture
def signed_in(owner, auth, client):
    auth.login()
    client.hx = {**HX, "X-CSRFToken": auth.csrf_token()}
    return client


def test_the_settings_navigation_has_event_types(signed_in):
    html = signed_in.get("/settings/profile/availability").get_data(as_text=True)
    assert 'href="/settings/event-types"' in html
    page = signed_in.get("/settings/event-types").get_data(as_text=True)
    assert "Appointment" in page and "New event type" in page


def test_adding_an_event_type_triggers_the_list_and_stores_every_field(app, signed_in, owner):
    response = signed_in.post("/settings/event-types", data=FORM, headers=signed_in.hx)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "event-types-changed"
    with app.app_context():
        kind = EventType.get(EventType.slug == "consultation")
        assert (kind.duration_minutes, kind.buffer_after_minutes, kind.step_minutes, kind.daily_limit,
                kind.weekly_limit, kind.active) == (60, 10, 30, 2, None, True)
    listing = signed_in.get("/settings/event-types/list", headers=HX).get_data(as_text=True)
    assert "Consultation" in listing and "at most 2 a day" in listing


@pytest.mark.parametrize("change, field", [
    ({"title": ""}, "title"), ({"duration_minutes": "x"}, "duration_minutes"), ({"slug": "a b"}, "slug"),
    ({"step_minutes": "20"}, "step_minutes"), ({"daily_limit": "0"}, "daily_limit"), ({"color": "blue"}, "color"),
    ({"horizon_days": "-1"}, "horizon_days"),
])
def test_a_form_with_errors_answers_422_with_the_message_next_to_the_field(app, signed_in, change, field):
    response = signed_in.post("/settings/event-types", data={**FORM, **change}, headers=signed_in.hx)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and 'value="Consultation"' in html or field == "title"
    with app.app_context():
        assert EventType.select().count() == 1


def test_editing_and_deleting_without_htmx_redirect_with_a_flash(app, signed_in):
    csrf = signed_in.hx["X-CSRFToken"]
    created = signed_in.post("/settings/event-types", data={**FORM, "csrf_token": csrf})
    assert created.status_code == 302
    with app.app_context():
        kind = EventType.get(EventType.slug == "consultation")
    edit = signed_in.get(f"/settings/event-types/{kind.id}/edit").get_data(as_text=True)
    assert 'value="Consultation"' in edit
    saved = signed_in.post(f"/settings/event-types/{kind.id}", data={**FORM, "title": "Long talk", "csrf_token": csrf})
    assert "Long talk saved." in signed_in.get(saved.headers["Location"]).get_data(as_text=True)
    gone = signed_in.post(f"/settings/event-types/{kind.id}/delete", data={"csrf_token": csrf})
    assert "Long talk deleted." in signed_in.get(gone.headers["Location"]).get_data(as_text=True)


def test_the_last_event_type_cannot_be_deleted(app, signed_in, owner):
    from webapp import event_types

    with app.app_context():
        kind = event_types.default_type(owner)
    response = signed_in.post(f"/settings/event-types/{kind.id}/delete", headers=signed_in.hx)
    assert response.status_code == 422 and "only event type" in response.get_data(as_text=True)


def test_another_users_event_type_is_404(app, signed_in, make_user):
    from webapp import event_types

    with app.app_context():
        theirs = event_types.default_type(make_user("bob@example.com"))
    assert signed_in.get(f"/settings/event-types/{theirs.id}/edit").status_code == 404
    assert signed_in.post(f"/settings/event-types/{theirs.id}", data=FORM, headers=signed_in.hx).status_code == 404


def test_date_overrides_are_added_edited_and_deleted_on_the_availability_tab(app, signed_in, day):
    hx = signed_in.hx
    added = signed_in.post("/settings/profile/availability/overrides", headers=hx,
                           data={"kind": "date", "date": day.isoformat(), "closed": "on"})
    assert added.status_code == 200 and added.headers["HX-Trigger"] == "date-overrides-changed"
    with app.app_context():
        row = DateOverride.get()
    tab = signed_in.get("/settings/profile/availability").get_data(as_text=True)
    assert day.isoformat() in tab and f"/overrides/{row.id}/edit" in tab
    edit = signed_in.get(f"/settings/profile/availability/overrides/{row.id}/edit", headers=HX).get_data(as_text=True)
    assert f'value="{day.isoformat()}"' in edit
    changed = signed_in.post(f"/settings/profile/availability/overrides/{row.id}", headers=hx,
                             data={"kind": "date", "date": day.isoformat(), "ranges": "10:00–12:00"})
    assert changed.status_code == 200
    listing = signed_in.get("/settings/profile/availability/overrides", headers=HX).get_data(as_text=True)
    assert "10:00–12:00" in listing
    time_off = signed_in.post("/settings/profile/availability/overrides", headers=hx,
                              data={"kind": "time_off", "start_date": day.isoformat(),
                                    "end_date": (day + timedelta(days=4)).isoformat()})
    assert time_off.status_code == 200
    assert signed_in.post(f"/settings/profile/availability/overrides/{row.id}/delete", headers=hx).status_code == 200
    with app.app_context():
        [left] = DateOverride.select()
        assert left.is_time_off


@pytest.mark.parametrize("data, field", [
    ({"kind": "date", "date": "", "closed": "on"}, "date"),
    ({"kind": "date", "date": "2026-06-01", "ranges": "9 to 5"}, "ranges"),
    ({"kind": "date", "date": "2026-06-01", "ranges": ""}, "ranges"),
    ({"kind": "time_off", "start_date": "2026-06-05", "end_date": "2026-06-01"}, "end_date"),
])
def test_a_bad_override_form_answers_422_next_to_its_field(app, signed_in, data, field):
    response = signed_in.post("/settings/profile/availability/overrides", headers=signed_in.hx, data=data)
    assert response.status_code == 422 and f'id="{field}-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert DateOverride.select().count() == 0


def test_the_week_view_shades_non_working_time(app, signed_in, day):
    signed_in.post("/settings/profile/availability/overrides", headers=signed_in.hx,
                   data={"kind": "date", "date": day.isoformat(), "ranges": "12:00–14:00"})
    html = signed_in.get(f"/calendar/week?week={day}", headers=HX).get_data(as_text=True)
    monday = html.split(f'class="cal-day" data-date="{day}"', 1)[1].split("</div>\n      </div>", 1)[0]
    # the whole day: off 00:00–12:00 (48 quarter hours) and 14:00–24:00 (40 from quarter 56)
    assert 'class="cal-off qt-0 qh-48"' in monday and 'class="cal-off qt-56 qh-40"' in monday
