"""The calendar form and the JSON API give the same answer to the same input (the rules live in the domain)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from webapp.models import Appointment

from .conftest import HX, at



def _form(client, day, duration="30", **contact):
    data = {"date": day.isoformat(), "start": "10:00", "duration": duration, "title": "", "name": "", "email": "",
            **contact}
    return client.post("/calendar/appointments", data=data, headers=client.hx)


def _api(api, day, **contact):
    body = {"start": at(day, 10).isoformat(), "end": (at(day, 10) + timedelta(minutes=30)).isoformat()}
    if contact:
        body["contact"] = contact
    return api.post("/api/v1/appointments", json=body)


@pytest.mark.parametrize("contact, field, words", [
    ({"email": "grace@example.com"}, "name", "Enter a name."),
    ({"name": "Grace"}, "email", "Enter a valid e-mail address."),
    ({"name": "Grace", "email": "grace@example"}, "email", "Enter a valid e-mail address."),
])
def test_a_half_contact_is_refused_by_the_form_and_the_api_alike(app, owner_client, api, day, contact, field, words):
    form, answer = _form(owner_client, day, **contact), _api(api, day, **contact)
    assert form.status_code == answer.status_code == 422
    assert f'id="{field}-error"' in form.get_data(as_text=True) and words in form.get_data(as_text=True)
    assert answer.json["message"] == words
    with app.app_context():
        assert Appointment.select().count() == 0


def test_the_owner_may_book_without_a_contact_in_the_form_and_the_api(app, owner_client, api, day):
    assert _form(owner_client, day).status_code == 200
    assert _api(api, day + timedelta(days=1)).status_code == 201
    with app.app_context():
        assert [a.contact_id for a in Appointment.select()] == [None, None]


def test_a_duration_out_of_range_gets_the_same_words_from_the_form_and_the_api(owner_client, api, day):
    form = _form(owner_client, day, duration="0")
    answer = api.get(f"/api/v1/availability?start={day}&end={day}&duration=0")
    assert form.status_code == 422 and answer.status_code == 400
    assert answer.json["message"] in form.get_data(as_text=True)
