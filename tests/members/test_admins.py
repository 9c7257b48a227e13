"""Admins: the first user is one (sign-up and create-user), admins make and unmake admins, one always stays."""
from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from webapp import members
from webapp.models import User

from .conftest import HX, csrf_of


def _sign_up(client, email: str):
    csrf = csrf_of(client, "/register")
    return client.post("/register", data={"email": email, "password": PASSWORD, "name": "", "timezone": "UTC",
                                          "csrf_token": csrf})


def test_the_first_sign_up_is_an_admin_and_later_ones_are_not(app, client):
    app.config["ALLOW_REGISTRATION"] = True
    assert _sign_up(client, "first@example.com").status_code == 302
    assert _sign_up(app.test_client(), "second@example.com").status_code == 302
    with app.app_context():
        assert User.by_email("first@example.com").is_admin
        assert not User.by_email("second@example.com").is_admin


def test_create_user_makes_the_first_user_an_admin_and_admin_on_request(app, runner):
    for email, extra in (("one@example.com", []), ("two@example.com", []), ("three@example.com", ["--admin"])):
        result = runner.invoke(args=["create-user", email, "--password", PASSWORD, *extra])
        assert result.exit_code == 0, result.output
    with app.app_context():
        assert [User.by_email(e).is_admin for e in ("one@example.com", "two@example.com", "three@example.com")] == [
            True, False, True]


def _toggle(client, user: User, admin: bool):
    data = {"csrf_token": client.csrf, **({"admin": "on"} if admin else {})}
    return client.post(f"/settings/team/members/{user.id}/admin", data=data, headers=HX)


def test_the_last_admin_cannot_be_unmade(app, admin, logged_in):
    answer = _toggle(logged_in, admin, False)
    assert answer.status_code == 422
    assert "is the only admin. Make someone else an admin first" in answer.get_data(as_text=True)
    with app.app_context():
        assert User.get_by_id(admin.id).is_admin


def test_admins_make_and_unmake_admins(app, admin, logged_in, make_user):
    bob = make_user("bob@example.com")
    made = _toggle(logged_in, bob, True)
    assert made.status_code == 200 and made.headers["HX-Trigger"] == "team-changed"
    with app.app_context():
        assert User.get_by_id(bob.id).is_admin
    assert _toggle(logged_in, admin, False).status_code == 200  # another admin remains: Ada may step down
    with app.app_context():
        assert not User.get_by_id(admin.id).is_admin
        with pytest.raises(members.Refused):
            members.set_admin(User.get_by_id(bob.id), User.get_by_id(bob.id), False)
    assert _toggle(logged_in, bob, False).status_code == 403  # Ada is no admin now
