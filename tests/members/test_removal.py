"""Removing a member: the steps are listed first, then their future appointments are cancelled (bookers
e-mailed), they leave their teams and can no longer sign in; the row stays."""
from __future__ import annotations

from datetime import timedelta

from tests.conftest import PASSWORD
from webapp import members
from webapp.auth import issue_api_token
from webapp.models import Appointment, OutboxMail, Team, TeamMember, User, utcnow

from .conftest import csrf_of, sign_in


def _booked(owner: User, hours: int, team: Team | None = None, email: str | None = "grace@example.com") -> Appointment:
    """A booking of `owner`'s; with `team`, a collective one (a booking group) with only them in it."""
    start = utcnow().replace(microsecond=0) + timedelta(hours=hours)
    return Appointment.create(owner=owner, title="Call with Grace", start_utc=start, end_utc=start + timedelta(minutes=30),
                              booker_name="Grace", booker_email=email, team=team, push_state=Appointment.PUSH_NONE,
                              booking_group="group-1" if team else None)


def test_the_plan_is_shown_first_then_applied(app, admin, logged_in, make_user):
    bob = make_user("bob@example.com", name="Bob")
    bob_browser = app.test_client()
    sign_in(bob_browser, "bob@example.com")
    with app.app_context():
        team = Team.create(name="Support", slug="support", created_by=admin)
        TeamMember.create(team=team, user=bob)
        personal = _booked(bob, 48)
        teamed = _booked(bob, 72, team, email="linus@example.com")
        past = _booked(bob, -48)
        token = issue_api_token(bob)
    page = logged_in.get(f"/settings/team/members/{bob.id}/remove")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Remove Bob?" in text
    assert text.count("<li>Cancel Call with Grace") == 1  # the personal one
    assert "Call with Grace on" in text and "is cancelled for everyone (Bob)" in text  # the team's, by teams
    assert "grace@example.com is e-mailed" in text and "Take Bob out of Support." in text
    assert "cannot sign in again" in text
    with app.app_context():  # nothing happened yet
        assert Appointment.live().count() == 3 and User.get_by_id(bob.id).removed_at is None
    plan = text.split('name="plan" value="', 1)[1].split('"', 1)[0]

    done = logged_in.post(f"/settings/team/members/{bob.id}/remove", data={"plan": plan, "csrf_token": logged_in.csrf})
    assert done.status_code == 303
    assert "Bob was removed" in logged_in.get("/settings/team").get_data(as_text=True)
    with app.app_context():
        assert {a.id: a.status for a in Appointment.select()} == {
            personal.id: "cancelled", teamed.id: "cancelled", past.id: "booked"}
        told = {m.recipient for m in OutboxMail.select().where(OutboxMail.kind == "cancelled")}
        assert told == {"grace@example.com", "linus@example.com"}
        gone = User.get_by_id(bob.id)
        assert gone.removed_at is not None and not TeamMember.select().where(TeamMember.user == bob).exists()
    assert bob_browser.get("/settings/team").status_code == 302  # the session ended
    assert sign_in(app.test_client(), "bob@example.com").status_code == 401
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "bob@example.com" not in logged_in.get("/settings/team/lists").get_data(as_text=True)
    visitor = app.test_client()
    assert "offers no appointments at the moment" in visitor.get(f"/book/{bob.booking_slug}").get_data(as_text=True)
    assert visitor.get(f"/book/{bob.booking_slug}/appointment").status_code == 404


def test_a_plan_that_changed_since_it_was_shown_is_not_applied(app, admin, logged_in, make_user):
    bob = make_user("bob@example.com", name="Bob")
    page = logged_in.get(f"/settings/team/members/{bob.id}/remove").get_data(as_text=True)
    plan = page.split('name="plan" value="', 1)[1].split('"', 1)[0]
    with app.app_context():
        _booked(bob, 24)  # booked while the admin read the page
    answer = logged_in.post(f"/settings/team/members/{bob.id}/remove", data={"plan": plan, "csrf_token": logged_in.csrf})
    assert answer.status_code == 409 and "Something changed since this page was shown" in answer.get_data(as_text=True)
    with app.app_context():
        assert User.get_by_id(bob.id).removed_at is None and Appointment.live().count() == 1


def test_an_admin_cannot_remove_themselves_and_members_cannot_remove(app, admin, logged_in, make_user):
    answer = logged_in.get(f"/settings/team/members/{admin.id}/remove")
    assert answer.status_code == 303
    assert "You cannot remove yourself" in logged_in.get("/settings/team").get_data(as_text=True)
    bob = make_user("bob@example.com")
    with app.app_context():
        try:
            members.apply_removal(User.get_by_id(admin.id), User.get_by_id(admin.id))
        except members.Refused as exc:
            assert "cannot remove yourself" in str(exc)
        else:
            raise AssertionError("removed oneself")
    client = app.test_client()
    sign_in(client, "bob@example.com", PASSWORD)
    assert client.get(f"/settings/team/members/{admin.id}/remove").status_code == 403
    csrf = csrf_of(client)
    assert client.post(f"/settings/team/members/{admin.id}/remove", data={"csrf_token": csrf}).status_code == 403
    with app.app_context():
        assert User.get_by_id(admin.id).removed_at is None and User.get_by_id(bob.id).removed_at is None


def test_a_removed_member_cannot_be_invited_again(app, admin, logged_in, make_user):
    bob = make_user("bob@example.com")
    with app.app_context():
        members.apply_removal(User.get_by_id(admin.id), User.get_by_id(bob.id))
    answer = logged_in.post("/settings/team/invitations", data={"email": "bob@example.com", "csrf_token": logged_in.csrf},
                            headers={"HX-Request": "true"})
    assert answer.status_code == 422 and "belonged to a member who was removed" in answer.get_data(as_text=True)
