"""Calendar Configuration over HTTP: Primary Calendar and Check for Conflicts, the form and the JSON API."""
from __future__ import annotations

import pytest

from tests.configuration.conftest import PERSONAL, WORK, htmx, roles
from tests.conftest import SyncRuns
from webapp import calendar_roles
from webapp.models import Appointment, CalendarAccount, RemoteCalendar, User, utcnow
from webapp.sync import run as health

BASE = "/settings/profile/calendar-configuration"
API = "/api/v1/calendar-configuration"


@pytest.fixture
def synced(app, two_accounts) -> SyncRuns:
    """The accounts synced after the two were connected (each change of roles asks for a sync)."""
    return SyncRuns(app)


@pytest.fixture
def bobs_calendar(app, make_user) -> int:
    bob = make_user("bob@example.com")
    with app.app_context():
        account = CalendarAccount.create(owner=bob, email="bob@icloud.example", password_encrypted="x")
        return RemoteCalendar.create(account=account, url="http://x/bob/cal/", name="Bob private").id


def test_page_without_accounts_links_to_integrations(logged_in):
    page = logged_in.get(BASE).get_data(as_text=True)
    assert "No iCloud account is connected yet" in page
    assert 'href="/settings/profile/integrations"' in page
    assert "Primary Calendar" not in page


def test_page_shows_both_segments_with_edit_and_the_articles_words(logged_in, two_accounts):
    page = logged_in.get(BASE).get_data(as_text=True)
    assert "Primary Calendar" in page and "Check for Conflicts" in page
    assert page.count(">Edit</button>") == 2
    assert "writes all the appointments to iCloud" in page
    assert "It only reads calendar events from iCloud" in page
    assert "None — appointments are kept only in Slotwise" in page


def test_primary_form_lists_only_this_users_accounts_and_loads_calendars(logged_in, two_accounts, bobs_calendar):
    form = logged_in.get(f"{BASE}/primary/edit", headers=htmx(logged_in)).get_data(as_text=True)
    assert "None — keep appointments only in Slotwise" in form
    assert PERSONAL in form and WORK in form and "bob@icloud.example" not in form
    field = logged_in.get(f"{BASE}/primary/calendars?account_id={two_accounts.work.id}",
                          headers=htmx(logged_in)).get_data(as_text=True)
    assert "Office" in field and "Travel" in field and "Home" not in field
    bob_account = RemoteCalendar.get_by_id(bobs_calendar).account_id
    assert logged_in.get(f"{BASE}/primary/calendars?account_id={bob_account}").status_code == 404


def test_save_primary_sets_exactly_one_and_asks_for_a_sync(app, logged_in, two_accounts, synced):
    with app.app_context():
        office = two_accounts.calendar("Office").id
    response = logged_in.post(f"{BASE}/primary", data={"account_id": two_accounts.work.id, "calendar_id": office},
                              headers=htmx(logged_in))
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "calendar-configuration-changed"
    summary = response.get_data(as_text=True)
    assert "Office" in summary and WORK in summary and 'data-color="#1BADF8"' in summary
    assert roles(app) == {"Home": "none", "Gym": "none", "Office": "primary", "Travel": "none"}
    assert synced.take() == [two_accounts.work.id]


def test_changing_the_primary_moves_appointments_through_the_sync_it_asks_for(app, logged_in, two_accounts, user, synced):
    with app.app_context():
        owner = User.get_by_id(user.id)
        home, office = two_accounts.calendar("Home"), two_accounts.calendar("Office")
        calendar_roles.configure_calendars(owner, home.id, [])
        start = utcnow()
        appointment = Appointment.create(owner=owner, start_utc=start, end_utc=start, remote_calendar=home,
                                         push_state=Appointment.PUSH_SYNCED)
    synced.take()
    logged_in.post(f"{BASE}/primary", data={"account_id": two_accounts.work.id, "calendar_id": office.id},
                   headers=htmx(logged_in))
    assert roles(app)["Home"] == "none" and roles(app)["Office"] == "primary"
    with app.app_context():
        # configure_calendars leaves appointments alone; the sync it asks for moves them to the new Primary
        assert Appointment.get_by_id(appointment.id).remote_calendar_id == office.id
    assert sorted(synced.take()) == sorted([two_accounts.personal.id, two_accounts.work.id])


def test_primary_none_writes_nowhere(app, logged_in, two_accounts, user):
    with app.app_context():
        calendar_roles.configure_calendars(User.get_by_id(user.id), two_accounts.calendar("Gym").id, [])
    response = logged_in.post(f"{BASE}/primary", data={"account_id": "", "calendar_id": ""}, headers=htmx(logged_in))
    assert response.status_code == 200
    assert "None — appointments are kept only in Slotwise" in response.get_data(as_text=True)
    assert set(roles(app).values()) == {"none"}


def test_primary_with_another_users_calendar_is_refused_and_changes_nothing(app, logged_in, two_accounts,
                                                                             bobs_calendar, synced):
    before = roles(app)
    for data in ({"account_id": two_accounts.work.id, "calendar_id": bobs_calendar},
                 {"account_id": RemoteCalendar.get_by_id(bobs_calendar).account_id, "calendar_id": bobs_calendar},
                 {"account_id": two_accounts.work.id, "calendar_id": two_accounts.calendar("Home").id},
                 {"account_id": two_accounts.work.id, "calendar_id": "abc"}):
        response = logged_in.post(f"{BASE}/primary", data=data, headers=htmx(logged_in))
        assert response.status_code == 422
        assert "role=\"alert\"" in response.get_data(as_text=True)
    assert "own connected iCloud accounts" in response.get_data(as_text=True) or "whole numbers" in response.get_data(as_text=True)
    assert roles(app) == before
    with app.app_context():
        assert RemoteCalendar.get_by_id(bobs_calendar).role == "none"
    assert synced.take() == []


def test_conflicts_form_groups_calendars_by_account(logged_in, two_accounts):
    form = logged_in.get(f"{BASE}/conflicts/edit", headers=htmx(logged_in)).get_data(as_text=True)
    # grouped by account e-mail ("ada.work@" sorts before "ada@"), each account's calendars under it
    assert form.index(f"<legend>{WORK}") < form.index("Office") < form.index("Travel") \
        < form.index(f"<legend>{PERSONAL}") < form.index("Gym") < form.index("Home")
    assert form.count('type="checkbox"') == 4


def test_save_conflicts_from_two_accounts(app, logged_in, two_accounts, synced):
    ids = [two_accounts.calendar("Gym").id, two_accounts.calendar("Travel").id]
    response = logged_in.post(f"{BASE}/conflicts", data={"calendar_ids": ids}, headers=htmx(logged_in))
    assert response.status_code == 200
    summary = response.get_data(as_text=True)
    assert "Gym" in summary and "Travel" in summary and PERSONAL in summary and WORK in summary
    assert roles(app) == {"Home": "none", "Gym": "conflict", "Office": "none", "Travel": "conflict"}
    assert sorted(synced.take()) == sorted([two_accounts.personal.id, two_accounts.work.id])


def test_conflicts_with_another_users_calendar_is_refused_and_changes_nothing(app, logged_in, two_accounts,
                                                                               bobs_calendar):
    response = logged_in.post(f"{BASE}/conflicts", data={"calendar_ids": [two_accounts.calendar("Gym").id,
                                                                          bobs_calendar]}, headers=htmx(logged_in))
    assert response.status_code == 422
    assert "You can only choose calendars of your own connected iCloud accounts" in response.get_data(as_text=True)
    assert set(roles(app).values()) == {"none"}


def test_primary_ticked_for_conflicts_stays_primary_and_is_shown_once(app, logged_in, two_accounts, user):
    home = two_accounts.calendar("Home").id
    with app.app_context():
        calendar_roles.configure_calendars(User.get_by_id(user.id), home, [])
    logged_in.post(f"{BASE}/conflicts", data={"calendar_ids": [home, two_accounts.calendar("Office").id]},
                   headers=htmx(logged_in))
    assert roles(app)["Home"] == "primary" and roles(app)["Office"] == "conflict"
    with app.app_context():
        office = two_accounts.calendar("Office").id
        assert calendar_roles.configure_calendars(User.get_by_id(user.id), home, [home, office]) == set()  # no change
    assert roles(app)["Home"] == "primary"
    summary = logged_in.get(f"{BASE}/conflicts", headers=htmx(logged_in)).get_data(as_text=True)
    assert summary.count("<strong>Home</strong>") == 0 and "Your Primary Calendar, Home, is read too" in summary
    form = logged_in.get(f"{BASE}/conflicts/edit", headers=htmx(logged_in)).get_data(as_text=True)
    assert form.count("Home") == 1 and "Primary Calendar, read anyway" in form


def test_needs_reconnect_account_is_shown_with_a_warning(app, logged_in, two_accounts, user):
    with app.app_context():
        calendar_roles.configure_calendars(User.get_by_id(user.id), two_accounts.calendar("Office").id, [])
        health.mark_needs_reconnect(CalendarAccount.get_by_id(two_accounts.work.id), "Apple refused it.")
    page = logged_in.get(BASE).get_data(as_text=True)
    assert "Needs reconnect: not read until you" in page
    form = logged_in.get(f"{BASE}/conflicts/edit", headers=htmx(logged_in)).get_data(as_text=True)
    assert "Needs reconnect" in form
    form = logged_in.get(f"{BASE}/primary/edit", headers=htmx(logged_in)).get_data(as_text=True)
    assert f"{WORK} (needs reconnect)" in form


def test_disconnecting_an_account_clears_its_calendars_from_both_segments(app, logged_in, two_accounts, user):
    with app.app_context():
        calendar_roles.configure_calendars(User.get_by_id(user.id), two_accounts.calendar("Office").id,
                                     [two_accounts.calendar("Travel").id, two_accounts.calendar("Gym").id])
    logged_in.post(f"/settings/profile/integrations/accounts/{two_accounts.work.id}/disconnect",
                   headers=htmx(logged_in))
    page = logged_in.get(BASE).get_data(as_text=True)
    assert "Office" not in page and "Travel" not in page and "Gym" in page
    assert "None — appointments are kept only in Slotwise" in page
    assert logged_in.get(API).json == {
        "primary": None,
        "conflicts": [{"account_id": two_accounts.personal.id, "calendar_id": two_accounts.calendar("Gym").id,
                       "name": "Gym"}],
    }


# --- JSON API --------------------------------------------------------------------------------------


def put(client, body, **kw):
    return client.put(API, json=body, headers={"X-CSRFToken": client.csrf}, **kw)


def test_api_round_trips_the_configuration(app, logged_in, two_accounts, synced):
    assert logged_in.get(API).json == {"primary": None, "conflicts": []}
    office, gym, travel = (two_accounts.calendar(n).id for n in ("Office", "Gym", "Travel"))
    response = put(logged_in, {"primary_calendar_id": office, "conflict_calendar_ids": [gym, travel, office]})
    assert response.status_code == 200
    expected = {
        "primary": {"account_id": two_accounts.work.id, "calendar_id": office, "name": "Office"},
        "conflicts": [{"account_id": two_accounts.work.id, "calendar_id": travel, "name": "Travel"},
                      {"account_id": two_accounts.personal.id, "calendar_id": gym, "name": "Gym"}],
    }  # listed by account e-mail: "ada.work@" before "ada@"
    assert response.json == expected
    assert logged_in.get(API).json == expected
    both = sorted([two_accounts.personal.id, two_accounts.work.id])
    assert sorted(synced.take()) == both
    assert put(logged_in, {"primary_calendar_id": None, "conflict_calendar_ids": []}).json == {
        "primary": None, "conflicts": []}
    assert sorted(synced.take()) == both


@pytest.mark.parametrize("body", [
    {"primary_calendar_id": None},
    {"conflict_calendar_ids": []},
    {"primary_calendar_id": "x", "conflict_calendar_ids": []},
    {"primary_calendar_id": True, "conflict_calendar_ids": []},
    {"primary_calendar_id": None, "conflict_calendar_ids": "1"},
    {"primary_calendar_id": None, "conflict_calendar_ids": [None]},
    [1, 2],
])
def test_api_refuses_malformed_bodies_with_422(app, logged_in, two_accounts, body):
    response = put(logged_in, body)
    assert response.status_code == 422
    assert response.json["message"]
    assert set(roles(app).values()) == {"none"}


def test_api_refuses_bad_json_with_422(logged_in, two_accounts):
    response = logged_in.put(API, data="{nope", headers={"X-CSRFToken": logged_in.csrf,
                                                         "Content-Type": "application/json"})
    assert response.status_code == 422 and "Send JSON" in response.json["message"]


def test_api_refuses_another_users_calendar_and_changes_nothing(app, logged_in, two_accounts, bobs_calendar):
    gym = two_accounts.calendar("Gym").id
    for body in ({"primary_calendar_id": bobs_calendar, "conflict_calendar_ids": []},
                 {"primary_calendar_id": gym, "conflict_calendar_ids": [bobs_calendar]},
                 {"primary_calendar_id": 99999, "conflict_calendar_ids": []}):
        response = put(logged_in, body)
        assert response.status_code == 422
        assert "own connected iCloud accounts" in response.json["message"]
    assert set(roles(app).values()) == {"none"}
    with app.app_context():
        assert RemoteCalendar.get_by_id(bobs_calendar).role == "none"


def test_absurd_ids_are_refused_not_500(logged_in, two_accounts):
    huge = 10**30
    assert put(logged_in, {"primary_calendar_id": huge, "conflict_calendar_ids": []}).status_code == 422
    assert put(logged_in, {"primary_calendar_id": None, "conflict_calendar_ids": [-1]}).status_code == 422
    assert logged_in.get(f"{BASE}/primary/calendars?account_id={huge}").status_code == 404
    response = logged_in.post(f"{BASE}/primary", data={"account_id": huge, "calendar_id": huge},
                              headers=htmx(logged_in))
    assert response.status_code == 422


def test_api_put_with_a_bearer_token_needs_no_csrf(app, two_accounts, user):
    from webapp.auth import issue_api_token

    with app.app_context():
        token = issue_api_token(User.get_by_id(user.id))
        gym = two_accounts.calendar("Gym").id
    response = app.test_client().put(API, json={"primary_calendar_id": gym, "conflict_calendar_ids": []},
                                     headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json["primary"]["calendar_id"] == gym


def test_with_two_primary_rows_the_page_and_the_api_name_the_oldest(app, logged_in, user, make_account):
    """Roles are set in one step, so two Primary Calendars can only come from a damaged database: then every
    reader (page, API, push) takes the oldest, whatever the names sort like."""
    make_account(user, "zed@icloud.example", calendars={"http://x/zed/": ("Zed work", "primary")})
    make_account(user, "amy@icloud.example", calendars={"http://x/amy/": ("Amy home", "primary")})
    summary = logged_in.get(f"{BASE}/primary", headers=htmx(logged_in)).get_data(as_text=True)
    assert "Zed work" in summary and "Amy home" not in summary
    assert logged_in.get(API).get_json()["primary"]["name"] == "Zed work"
    with app.app_context():
        assert RemoteCalendar.primary_of(User.get_by_id(user.id)).name == "Zed work"


def test_the_form_and_the_api_refuse_another_users_calendar_in_the_same_words(app, logged_in, two_accounts,
                                                                              bobs_calendar, synced):
    form = logged_in.post(f"{BASE}/primary", data={"account_id": two_accounts.work.id, "calendar_id": bobs_calendar},
                          headers=htmx(logged_in))
    api = put(logged_in, {"primary_calendar_id": bobs_calendar, "conflict_calendar_ids": []})
    assert form.status_code == api.status_code == 422
    assert api.json["message"] in form.get_data(as_text=True).replace("&#39;", "'")
    assert roles(app) == {"Home": "none", "Gym": "none", "Office": "none", "Travel": "none", "Bob private": "none"}


def test_a_calendar_of_another_account_than_the_one_chosen_is_refused_by_the_rule_itself(app, two_accounts, user):
    with app.app_context():
        home = two_accounts.calendar("Home").id
        with pytest.raises(calendar_roles.ConfigurationRefused):
            calendar_roles.configure_calendars(User.get_by_id(user.id), home, [],
                                               primary_account_id=two_accounts.work.id)
    assert roles(app)["Home"] == "none"
