"""The public team pages /team/<slug> and /team/<slug>/<type> through the Flask test client."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from webapp import teams
from webapp.appointments import create_blocked_slot
from webapp.models import Appointment, EventType
from webapp.times import naive_utc

from .conftest import HX, at, csrf_of

NEW_YORK = ZoneInfo("America/New_York")


def test_an_unknown_team_is_a_404_page(client, team):
    response = client.get("/team/no-such-team")
    assert response.status_code == 404
    assert "no team page at this address" in response.get_data(as_text=True)


def test_an_unknown_or_hidden_type_is_a_404_page(client, team, make_type):
    make_type(title="Hidden", slug="hidden", active=False)
    for path in ("/team/sales/no-such-type", "/team/sales/hidden", "/team/no-such-team/hidden"):
        assert client.get(path).status_code == 404, path
    assert client.get("/team/sales/slots?type=hidden&date=2030-01-07", headers=HX).status_code == 404


def test_the_team_page_lists_its_active_types_with_whom_they_meet(client, make_type):
    make_type(EventType.COLLECTIVE, title="Kick-off", slug="kick-off", duration_minutes=60, description="All of us.")
    make_type(EventType.ROUND_ROBIN, title="Intro", slug="intro")
    make_type(EventType.ROUND_ROBIN, ["bob@example.com"], title="Support", slug="support")
    make_type(title="Hidden", slug="hidden", active=False)
    response = client.get("/team/sales")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Book a time with Sales" in html
    assert 'href="/team/sales/kick-off"' in html and 'href="/team/sales/intro"' in html
    assert "With Ada and Bob." in html and "All of us." in html and "60 minutes" in html
    assert "With one of Ada or Bob." in html
    assert "With Bob." in html
    assert "Hidden" not in html and 'class="sidebar"' not in html


def test_one_type_is_still_listed_on_the_team_page(client, make_type):
    make_type(title="Kick-off", slug="kick-off")
    html = client.get("/team/sales").get_data(as_text=True)
    assert 'href="/team/sales/kick-off"' in html and 'id="tz"' not in html


def test_the_type_page_is_the_picker_in_the_teams_zone(client, make_type):
    make_type(title="Kick-off", slug="kick-off")
    html = client.get("/team/sales/kick-off").get_data(as_text=True)
    assert "Book a time with Sales" in html and "Kick-off" in html and "With Ada and Bob." in html
    assert "<option selected>Europe/London</option>" in html and "data-visitor-zone" in html
    assert 'hx-get="/team/sales/month?type=kick-off"' in html
    assert 'href="/team/sales"' not in html  # one type: no way back to a list of one


def test_a_collective_time_is_offered_only_when_every_member_is_free(app, client, ada, bob, make_type, day):
    collective = make_type(EventType.COLLECTIVE, slug="together")
    round_robin = make_type(EventType.ROUND_ROBIN, slug="anyone")
    with app.app_context():
        create_blocked_slot(bob, at(day, 10), at(day, 11), "Dentist")
        create_blocked_slot(ada, at(day, 14), at(day, 15), "Board")
    both = client.get(f"/team/sales/slots?type={collective.slug}&date={day}&tz=Europe/Berlin",
                      headers=HX).get_data(as_text=True)
    one = client.get(f"/team/sales/slots?type={round_robin.slug}&date={day}&tz=Europe/Berlin",
                     headers=HX).get_data(as_text=True)
    for hour in ("09:30", "11:00", "16:30"):
        assert f">{hour}</button>" in both and f">{hour}</button>" in one
    for hour in ("10:00", "10:30", "14:00", "14:30"):
        assert f">{hour}</button>" not in both  # one of them is busy
        assert f">{hour}</button>" in one  # the other one is free
    assert ">17:00</button>" not in one  # outside everyone's working hours
    assert "/team/sales/form?type=together" in both


def test_slots_are_shown_in_the_visitors_zone(client, make_type, day):
    make_type(slug="together")
    html = client.get(f"/team/sales/slots?type=together&date={day}&tz=America/New_York",
                      headers=HX).get_data(as_text=True)
    assert f">{at(day, 9).astimezone(NEW_YORK):%H:%M}</button>" in html and "Times in America/New_York" in html


def test_the_month_marks_only_days_every_member_is_free(app, client, bob, make_type, day):
    make_type(slug="together")
    make_type(EventType.ROUND_ROBIN, slug="anyone")
    with app.app_context():
        create_blocked_slot(bob, at(day, 0), at(day, 23, 59), "Away")
    together = client.get(f"/team/sales/month?type=together&month={day:%Y-%m}&tz=Europe/Berlin",
                          headers=HX).get_data(as_text=True)
    anyone = client.get(f"/team/sales/month?type=anyone&month={day:%Y-%m}&tz=Europe/Berlin",
                        headers=HX).get_data(as_text=True)
    assert f'data-date="{day}"' not in together and f'data-date="{day}"' in anyone
    assert 'hx-get="/team/sales/slots?type=anyone' in anyone


def test_the_form_names_the_time_in_the_visitors_and_the_teams_zone(client, make_type, day):
    make_type(slug="together")
    start = at(day, 10)
    html = client.get("/team/sales/form", query_string={"type": "together", "tz": "Europe/Berlin",
                                                        "start": start.isoformat()}, headers=HX).get_data(as_text=True)
    assert "10:00–10:30" in html and "09:00 for Sales (Europe/London)" in html
    assert 'action="/team/sales?type=together"' in html and "Note for Sales" in html


def book(client, slug: str, start, **form):
    data = {"start": start.isoformat(), "type": slug, "tz": "Europe/Berlin", "name": "Grace Hopper",
            "email": "grace@example.com", "note": "About the launch", **form}
    return client.post("/team/sales", data=data, headers={**HX, "X-CSRFToken": csrf_of(client, "/team/sales")})


def test_booking_a_collective_type_gives_every_member_an_appointment(app, client, ada, bob, make_type, day):
    make_type(title="Kick-off", slug="together")
    response = book(client, "together", at(day, 10))
    assert response.status_code == 200
    target = response.headers["HX-Redirect"]
    assert target.startswith("/team/sales/booked/")
    with app.app_context():
        made = list(Appointment.select().order_by(Appointment.id))
        assert {a.owner_id for a in made} == {ada.id, bob.id}
        assert len({a.booking_group for a in made}) == 1 and made[0].booking_group
        assert all(a.start_utc == naive_utc(at(day, 10)) and a.booker_note == "About the launch" for a in made)
        assert [a.uuid for a in teams.group_of(made[0])] == [a.uuid for a in made]
    page = client.get(target)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "You are booked" in html and "You meet Ada and Bob." in html
    assert "10:00–10:30" in html and "grace@example.com" in html and 'href="/team/sales"' in html


def test_a_time_just_taken_answers_409_with_words_and_books_nobody(app, client, bob, make_type, day):
    make_type(slug="together")
    with app.app_context():
        create_blocked_slot(bob, at(day, 10), at(day, 11), "Booked elsewhere a moment ago")
    response = book(client, "together", at(day, 10))
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "just taken" in html and "Pick another time" in html
    assert 'value="Grace Hopper"' in html  # nothing typed is lost
    with app.app_context():
        assert Appointment.select().count() == 0


def test_a_round_robin_booking_goes_to_one_free_member_and_names_them(app, client, ada, bob, make_type, day):
    make_type(EventType.ROUND_ROBIN, slug="anyone")
    with app.app_context():
        create_blocked_slot(ada, at(day, 10), at(day, 11), "Busy")
    response = book(client, "anyone", at(day, 10))
    with app.app_context():
        made = list(Appointment.select())
        assert [a.owner_id for a in made] == [bob.id]
    html = client.get(response.headers["HX-Redirect"]).get_data(as_text=True)
    assert "You meet Bob." in html


def test_missing_name_and_a_bad_email_come_back_422_next_to_the_fields(app, client, make_type, day):
    make_type(slug="together")
    response = book(client, "together", at(day, 10), name="", email="not-an-address")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="name-error"' in html and 'id="email-error"' in html
    with app.app_context():
        assert Appointment.select().count() == 0


def test_without_htmx_a_booking_redirects_to_the_confirmation(app, client, make_type, day):
    make_type(slug="together")
    csrf = csrf_of(client, "/team/sales")
    response = client.post("/team/sales", data={"start": at(day, 11).isoformat(), "type": "together", "tz": "UTC",
                                                 "name": "Grace", "email": "grace@example.com", "csrf_token": csrf})
    assert response.status_code == 303 and "/team/sales/booked/" in response.headers["Location"]
    with app.app_context():
        assert Appointment.select().count() == 2


def test_a_booking_without_the_csrf_token_is_refused(app, client, make_type, day):
    make_type(slug="together")
    response = client.post("/team/sales", data={"start": at(day, 10).isoformat(), "type": "together",
                                                 "name": "Grace", "email": "grace@example.com"})
    assert response.status_code == 400
    with app.app_context():
        assert Appointment.select().count() == 0


def test_a_confirmation_of_another_team_or_person_is_a_404(app, client, ada, make_type, day):
    make_type(slug="together")
    target = book(client, "together", at(day, 10)).headers["HX-Redirect"]
    ref = target.split("?", 1)[0].rsplit("/", 1)[1]
    with app.app_context():
        teams.create_team(ada, "Other", "other")
    assert client.get(f"/team/other/booked/{ref}").status_code == 404
    assert client.get(f"/team/sales/booked/{ref}").status_code == 200
    assert client.get("/team/sales/booked/no-such-booking").status_code == 404
