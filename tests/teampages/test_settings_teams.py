"""Settings → Teams: admins make teams, add and remove members and edit team event types; members only read."""
from __future__ import annotations

import pytest

from webapp import teams
from webapp.models import EventType, Team, TeamEventTypeMember, User
from webapp.times import utcnow

from .conftest import HX, TYPE_FORM, sign_in


def test_the_settings_navigation_links_teams(as_ada):
    html = as_ada.get("/settings/event-types").get_data(as_text=True)
    assert 'href="/settings/teams"' in html
    assert 'href="/settings/teams"' in as_ada.get("/settings/").get_data(as_text=True)
    assert 'href="/settings/team"' in as_ada.get("/settings/teams").get_data(as_text=True)  # people, invitations
    assert 'href="/settings/teams"' in as_ada.get("/settings/team").get_data(as_text=True)


def test_an_admin_makes_a_team_in_their_own_zone_by_default(app, as_ada, ada):
    page = as_ada.get("/settings/teams").get_data(as_text=True)
    assert "New team" in page and "<option selected>Europe/Berlin</option>" in page
    response = as_ada.post("/settings/teams", data={"name": "Customer Care", "slug": "", "timezone": "Europe/Berlin"},
                           headers=as_ada.hx)
    assert response.status_code == 200
    with app.app_context():
        team = Team.get(Team.slug == "customer-care")
        assert (team.name, team.timezone) == ("Customer Care", "Europe/Berlin")
        assert [m.id for m in teams.members_of(team)] == [ada.id]
    assert response.headers["HX-Redirect"] == f"/settings/teams/{team.id}"
    listing = as_ada.get("/settings/teams").get_data(as_text=True)
    assert "Customer Care" in listing and 'href="/team/customer-care"' in listing


@pytest.mark.parametrize("change, field", [
    ({"name": ""}, "name"), ({"slug": "Not A Slug"}, "slug"), ({"slug": "sales"}, "slug"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
])
def test_a_team_form_with_errors_answers_422_next_to_the_field(app, as_ada, team, change, field):
    data = {"name": "Support", "slug": "support", "timezone": "Europe/Berlin", **change}
    response = as_ada.post("/settings/teams", data=data, headers=as_ada.hx)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and f'id="{field}-error"' in html and 'aria-invalid="true"' in html
    with app.app_context():
        assert Team.select().count() == 1


def test_an_admin_adds_and_removes_members_picked_from_the_users(app, as_ada, team, make_user):
    carol = make_user(email="carol@example.com", name="Carol Shaw")
    page = as_ada.get(f"/settings/teams/{team.id}").get_data(as_text=True)
    assert f'<option value="{carol.id}">Carol Shaw (carol@example.com)</option>' in page
    added = as_ada.post(f"/settings/teams/{team.id}/members", data={"user_id": str(carol.id)}, headers=as_ada.hx)
    assert added.status_code == 200 and added.headers["HX-Trigger"] == "team-members-changed"
    assert "Carol Shaw added to Sales." in added.get_data(as_text=True)
    with app.app_context():
        assert "carol@example.com" in [m.email for m in teams.members_of(team)]
    removed = as_ada.post(f"/settings/teams/{team.id}/members/{carol.id}/remove", headers=as_ada.hx)
    assert removed.status_code == 200 and "Carol Shaw removed from Sales" in removed.get_data(as_text=True)
    with app.app_context():
        assert "carol@example.com" not in [m.email for m in teams.members_of(team)]
    nobody = as_ada.post(f"/settings/teams/{team.id}/members", data={"user_id": "999"}, headers=as_ada.hx)
    assert nobody.status_code == 422 and "Choose a person from the list." in nobody.get_data(as_text=True)


def test_a_removed_member_is_not_offered_for_a_team(app, as_ada, team, make_user):
    gone = make_user(email="gone@example.com", name="Gone Person")
    with app.app_context():
        User.update(removed_at=utcnow()).where(User.id == gone.id).execute()
    page = as_ada.get(f"/settings/teams/{team.id}").get_data(as_text=True)
    assert "gone@example.com" not in page


def type_form(*members, kind: str = "collective", **change) -> dict:
    data = {**TYPE_FORM, "kind": kind, "member": [str(m.id) for m in members], **change}
    return data


def test_an_admin_makes_a_collective_type_through_the_event_type_form(app, as_ada, team, ada, bob):
    form = as_ada.get(f"/settings/teams/{team.id}/event-types/new", headers=HX).get_data(as_text=True)
    assert 'id="et-title"' in form and 'name="kind" value="collective"' in form  # the personal form, plus
    assert f'name="member" value="{bob.id}"' in form and f'action="/settings/teams/{team.id}/event-types"' in form
    response = as_ada.post(f"/settings/teams/{team.id}/event-types", data=type_form(ada, bob), headers=as_ada.hx)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "team-types-changed"
    with app.app_context():
        kind = teams.find_type(team, "kick-off")
        assert (kind.kind, kind.duration_minutes, kind.step_minutes) == ("collective", 30, 30)
        assert [u.email for u in teams.chosen_members(kind)] == ["ada@example.com", "bob@example.com"]
        assert EventType.of(ada).where(EventType.slug == "kick-off").count() == 0  # not a personal type
    listing = as_ada.get(f"/settings/teams/{team.id}/event-types", headers=HX).get_data(as_text=True)
    assert "Collective: Ada, Bob" in listing and 'href="/team/sales/kick-off"' in listing


def test_round_robin_priorities_are_saved_and_shown_again(app, as_ada, team, ada, bob):
    data = type_form(ada, bob, kind="round_robin", **{f"priority-{bob.id}": "5"})
    assert as_ada.post(f"/settings/teams/{team.id}/event-types", data=data, headers=as_ada.hx).status_code == 200
    with app.app_context():
        kind = teams.find_type(team, "kick-off")
        rows = {row.user_id: row.priority for row in TeamEventTypeMember.select().where(
            TeamEventTypeMember.event_type == kind)}
        assert kind.kind == "round_robin" and rows == {ada.id: 0, bob.id: 5}
    form = as_ada.get(f"/settings/teams/{team.id}/event-types/{kind.id}/edit", headers=HX).get_data(as_text=True)
    assert f'name="priority-{bob.id}" type="number" min="0" max="100" value="5"' in form


@pytest.mark.parametrize("change, field", [
    ({"member": []}, "member_emails"), ({"title": ""}, "title"), ({"kind": ""}, "kind"),
    ({"slug": "month"}, "slug"), ({"duration_minutes": "x"}, "duration_minutes"), ({"priority-BOB": "-3"}, "priority"),
])
def test_a_team_type_form_with_errors_answers_422_and_saves_nothing(app, as_ada, team, ada, bob, change, field):
    change = {key.replace("BOB", str(bob.id)): value for key, value in change.items()}
    field = f"priority-{bob.id}" if field == "priority" else field
    response = as_ada.post(f"/settings/teams/{team.id}/event-types", data={**type_form(ada, bob), **change},
                           headers=as_ada.hx)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and f'id="{field}-error"' in html
    with app.app_context():
        assert teams.types_of(team) == []


def test_an_admin_edits_and_deletes_a_team_type(app, as_ada, team, ada, bob, make_type):
    kind = make_type(title="Kick-off", slug="kick-off")
    data = type_form(bob, kind="round_robin", title="Intro", slug="intro", duration_minutes="45", step_minutes="")
    saved = as_ada.post(f"/settings/teams/{team.id}/event-types/{kind.id}", data=data, headers=as_ada.hx)
    assert saved.status_code == 200 and "Intro saved." in saved.get_data(as_text=True)
    with app.app_context():
        kind = EventType.get_by_id(kind.id)
        assert (kind.title, kind.kind, kind.duration_minutes) == ("Intro", "round_robin", 45)
        assert [u.email for u in teams.chosen_members(kind)] == ["bob@example.com"]
    deleted = as_ada.post(f"/settings/teams/{team.id}/event-types/{kind.id}/delete", headers=as_ada.hx)
    assert deleted.status_code == 200 and deleted.headers["HX-Trigger"] == "team-types-changed"
    with app.app_context():
        assert teams.types_of(team) == []


def test_without_htmx_the_forms_redirect_with_a_flash(app, as_ada, team, ada):
    csrf = as_ada.hx["X-CSRFToken"]
    made = as_ada.post(f"/settings/teams/{team.id}/event-types", data={**type_form(ada), "csrf_token": csrf})
    assert made.status_code == 302 and made.headers["Location"] == f"/settings/teams/{team.id}"
    page = as_ada.get(made.headers["Location"]).get_data(as_text=True)
    assert "Kick-off added." in page and "Collective: Ada" in page
    bad = as_ada.post(f"/settings/teams/{team.id}/event-types", data={**type_form(ada, title=""), "csrf_token": csrf})
    assert bad.status_code == 422 and 'id="title-error"' in bad.get_data(as_text=True)


def test_a_member_who_is_not_an_admin_reads_their_teams_only(app, client, auth, team, bob, make_type, make_user):
    make_type(title="Kick-off", slug="kick-off")
    with app.app_context():
        other = teams.create_team(teams.members_of(team)[0], "Other", "other")
    as_bob = sign_in(client, auth, bob.email)
    listing = as_bob.get("/settings/teams").get_data(as_text=True)
    assert "Sales" in listing and 'href="/team/sales"' in listing and "Other" not in listing
    assert "New team" not in listing
    page = as_bob.get(f"/settings/teams/{team.id}").get_data(as_text=True)
    assert "Kick-off" in page and 'href="/team/sales/kick-off"' in page and "Ada" in page
    assert "Remove" not in page and ">Edit<" not in page and "New team event type" not in page
    assert as_bob.get(f"/settings/teams/{other.id}").status_code == 404
    kind_id = teams.find_type(team, "kick-off").id
    for path, data in [("/settings/teams", {"name": "Mine", "slug": "mine"}),
                       (f"/settings/teams/{team.id}/members", {"user_id": str(bob.id)}),
                       (f"/settings/teams/{team.id}/members/{bob.id}/remove", {}),
                       (f"/settings/teams/{team.id}/event-types", type_form(bob)),
                       (f"/settings/teams/{team.id}/event-types/{kind_id}", type_form(bob)),
                       (f"/settings/teams/{team.id}/event-types/{kind_id}/delete", {})]:
        assert as_bob.post(path, data=data, headers=as_bob.hx).status_code == 403, path
    assert as_bob.get(f"/settings/teams/{team.id}/event-types/new", headers=HX).status_code == 403
    with app.app_context():
        assert Team.select().count() == 2 and len(teams.types_of(team)) == 1


def test_changes_need_the_csrf_token_and_a_sign_in(app, client, as_ada, team):
    response = as_ada.post("/settings/teams", data={"name": "Support", "slug": "support"}, headers=HX)
    assert response.status_code == 400
    as_ada.post("/logout", headers=as_ada.hx)
    assert client.get("/settings/teams").status_code == 302
    with app.app_context():
        assert Team.select().count() == 1
