"""Invitations: Settings → Team sends one through the outbox; its link makes an account once, within 7 days."""
from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from webapp import members
from webapp.event_types import types_of
from webapp.models import Invitation, OutboxMail, Team, TeamMember, User, utcnow

from .conftest import HX, PUBLIC_URL, accept_link, csrf_of, sign_in


def _invite(client, email: str, team: Team | None = None):
    data = {"email": email, "team": str(team.id) if team else "", "csrf_token": client.csrf}
    return client.post("/settings/team/invitations", data=data, headers=HX)


def _path(link: str) -> str:
    assert link.startswith(PUBLIC_URL + "/invitation/")  # every e-mail link is built from PUBLIC_URL
    return link.removeprefix(PUBLIC_URL)


def _accept(client, path: str, name="Grace Hopper", timezone="Europe/Berlin", password="a long password"):
    csrf = csrf_of(client, "/login")  # the session's token; the page itself may have no form
    return client.post(path, data={"name": name, "timezone": timezone, "password": password, "csrf_token": csrf})


def test_invite_mails_a_public_url_link_and_accepting_signs_in_and_joins_the_team(app, admin, logged_in, smtp):
    with app.app_context():
        team = Team.create(name="Support", slug="support", created_by=admin)
    answer = _invite(logged_in, "Grace@Example.com", team)
    assert answer.status_code == 200 and answer.headers["HX-Trigger"] == "team-changed"
    assert "Invitation sent to grace@example.com." in answer.get_data(as_text=True)
    with app.app_context():
        row = OutboxMail.get(OutboxMail.kind == "invitation")
        assert (row.owner_id, row.recipient, row.sent_at is not None) == (admin.id, "grace@example.com", True)
    (message,) = smtp.wait_for(1)
    assert message["To"] == "grace@example.com" and "invites you to Slotwise (Support)" in message["Subject"]
    assert message["Reply-To"] == admin.email
    path = _path(accept_link(message))
    assert 'href="' + PUBLIC_URL + path in message.get_body(("html",)).get_content()

    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200 and "grace@example.com" in page.get_data(as_text=True)
    assert "Support" in page.get_data(as_text=True)
    done = _accept(visitor, path)
    assert done.status_code == 303 and done.headers["Location"].endswith("/settings/profile/integrations")
    assert visitor.get("/settings/team").status_code == 200  # signed in
    with app.app_context():
        grace = User.by_email("grace@example.com")
        assert (grace.display_name, grace.timezone, grace.is_admin) == ("Grace Hopper", "Europe/Berlin", False)
        assert grace.booking_slug and [t.slug for t in types_of(grace)] == ["appointment"]
        assert TeamMember.select().where(TeamMember.team == team, TeamMember.user == grace).exists()
        invitation = Invitation.get()
        assert invitation.accepted_at is not None and invitation.user_id == grace.id
    assert sign_in(app.test_client(), "grace@example.com", "a long password").status_code == 302


def test_an_email_of_an_existing_user_is_refused_with_words(app, admin, logged_in, make_user):
    make_user("ada2@example.com")
    answer = _invite(logged_in, "ADA2@example.com")
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    assert "ada2@example.com already has an account here" in body and 'aria-invalid="true"' in body
    assert _invite(logged_in, "not an address").status_code == 422
    with app.app_context():
        assert not Invitation.select().exists() and not OutboxMail.select().exists()


def test_inviting_again_refreshes_the_one_row_and_retires_the_earlier_link(app, admin, logged_in, smtp):
    _invite(logged_in, "grace@example.com")
    first = _path(accept_link(smtp.wait_for(1)[0]))
    _invite(logged_in, "grace@example.com")
    second = _path(accept_link(smtp.wait_for(2)[1]))
    assert first != second
    with app.app_context():
        assert Invitation.select().count() == 1
    answer = app.test_client().get(first)
    assert answer.status_code == 410 and "the invitation was sent again" in answer.get_data(as_text=True)
    assert app.test_client().get(second).status_code == 200


def test_resend_from_the_list_sends_a_new_link(app, admin, logged_in, smtp):
    _invite(logged_in, "grace@example.com")
    with app.app_context():
        invitation = Invitation.get()
    answer = logged_in.post(f"/settings/team/invitations/{invitation.id}/resend", data={"csrf_token": logged_in.csrf},
                            headers=HX)
    assert answer.status_code == 200 and "Invitation sent again" in answer.get_data(as_text=True)
    assert len(smtp.wait_for(2)) == 2
    assert app.test_client().get(_path(accept_link(smtp.received[1]))).status_code == 200


def test_a_link_is_valid_seven_days(app, admin, logged_in, smtp):
    _invite(logged_in, "grace@example.com")
    path = _path(accept_link(smtp.wait_for(1)[0]))
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        sent = Invitation.get().created_at
        assert members.invitation_for(token, now=sent + timedelta(days=7, seconds=-1))
        with pytest.raises(members.LinkProblem) as problem:
            members.invitation_for(token, now=sent + timedelta(days=7))
        assert problem.value.status == 410
        # through the page: the invitation as if it had been sent 7 days and a minute ago
        back = timedelta(days=7, minutes=1)
        row = Invitation.get()
        Invitation.update(created_at=row.created_at - back, expires_at=row.expires_at - back).execute()
    answer = app.test_client().get(path)
    assert answer.status_code == 410 and "This invitation expired on" in answer.get_data(as_text=True)
    assert _accept(app.test_client(), path).status_code == 410
    with app.app_context():
        assert User.by_email("grace@example.com") is None


def test_a_used_link_says_so(app, admin, logged_in, smtp):
    _invite(logged_in, "grace@example.com")
    path = _path(accept_link(smtp.wait_for(1)[0]))
    assert _accept(app.test_client(), path).status_code == 303
    again = app.test_client().get(path)
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)
    with app.app_context():
        assert User.select().count() == 2


def test_forged_and_revoked_links_say_so(app, admin, logged_in, smtp):
    _invite(logged_in, "grace@example.com")
    path = _path(accept_link(smtp.wait_for(1)[0]))
    token = path.rsplit("/", 1)[1]
    for forged in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense", token.replace(".", "x")):
        answer = app.test_client().get(f"/invitation/{forged}")
        assert answer.status_code == 404 and "not one Slotwise made" in answer.get_data(as_text=True)
    with app.app_context():
        invitation = Invitation.get()
    answer = logged_in.post(f"/settings/team/invitations/{invitation.id}/revoke", data={"csrf_token": logged_in.csrf},
                            headers=HX)
    assert answer.status_code == 200 and "revoked" in answer.get_data(as_text=True)
    gone = app.test_client().get(path)
    assert gone.status_code == 410 and "withdrawn" in gone.get_data(as_text=True)
    assert "grace@example.com" not in logged_in.get("/settings/team/lists").get_data(as_text=True)


def test_accept_form_errors_answer_422_next_to_the_fields_and_keep_the_link(app, admin, logged_in, smtp):
    _invite(logged_in, "grace@example.com")
    path = _path(accept_link(smtp.wait_for(1)[0]))
    answer = _accept(app.test_client(), path, name=" ", timezone="Mars/Olympus", password="short")
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    for field in ("name", "timezone", "password"):
        assert f'aria-describedby="{field}-error"' in body
    assert "at least 8 characters" in body and "Choose your time zone" in body
    no_csrf = app.test_client().post(path, data={"name": "G", "timezone": "UTC", "password": "a long password"})
    assert no_csrf.status_code == 400
    with app.app_context():
        assert Invitation.get().accepted_at is None and User.by_email("grace@example.com") is None


def test_non_admins_cannot_invite_and_see_the_list_read_only(app, admin, make_user, client):
    make_user("bob@example.com")
    sign_in(client, "bob@example.com")
    page = client.get("/settings/team").get_data(as_text=True)
    assert "bob@example.com" in page and "ada@example.com" in page
    assert "Send invitation" not in page and "Make admin" not in page and "Remove" not in page
    csrf = csrf_of(client)
    answer = client.post("/settings/team/invitations", data={"email": "eve@example.com", "csrf_token": csrf},
                         headers=HX)
    assert answer.status_code == 403
    with app.app_context():
        assert not Invitation.select().exists()
        with pytest.raises(members.NotAdmin):
            members.invite(User.by_email("bob@example.com"), "eve@example.com")


@pytest.mark.sqlite_only  # searches the SQLite file itself
def test_the_token_is_never_stored_in_plain(app, admin, logged_in, smtp, app_config):
    _invite(logged_in, "grace@example.com")
    link = accept_link(smtp.wait_for(1)[0])
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        row = OutboxMail.get(OutboxMail.kind == "invitation")
        assert row.sent_at is not None and "(the link is in the e-mail itself)" in row.body_text
    database = app_config["DATABASE_URL"].removeprefix("sqlite:///")
    dump = "\n".join(sqlite3.connect(database).iterdump())
    assert "grace@example.com" in dump  # the dump does hold the invitation
    assert token not in dump and token.split(".")[-1] not in dump


def test_without_public_url_the_invitation_waits_in_the_outbox(app, admin, logged_in, smtp):
    app.config["PUBLIC_URL"] = ""
    assert _invite(logged_in, "grace@example.com").status_code == 200
    with app.app_context():
        row = OutboxMail.get(OutboxMail.kind == "invitation")
        assert row.sent_at is None and not smtp.received
    app.config["PUBLIC_URL"] = PUBLIC_URL
    from webapp.mail.outbox import send_due

    with app.app_context():
        assert send_due(utcnow() + timedelta(seconds=1)) == 1
    assert accept_link(smtp.wait_for(1)[0]).startswith(PUBLIC_URL + "/invitation/")
