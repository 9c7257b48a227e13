"""Sign-in throttling, the cost of an unknown e-mail, revocable sessions and remember cookies."""
from __future__ import annotations

import hashlib
import re

import pytest

from tests.conftest import PASSWORD
from webapp import create_app
from webapp.auth import create_user, issue_api_token, set_password
from webapp.models import User


def csrf_from(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def sign_in(client, email: str, password: str, remember: bool = False, headers: dict | None = None):
    data = {"email": email, "password": password, "csrf_token": csrf_from(client)}
    if remember:
        data["remember"] = "on"
    return client.post("/login", data=data, headers=headers or {})


def test_sixth_wrong_password_within_the_window_is_429_and_says_how_long(client, user):
    for _ in range(5):
        assert sign_in(client, user.email, "wrong password").status_code == 401
    response = sign_in(client, user.email, "wrong password")
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Too many attempts, try again in 15 minutes." in html, re.findall(r'class="field-error"[^<]*<', html)
    assert int(response.headers["Retry-After"]) > 800
    # the right password waits too, until the window has passed
    assert sign_in(client, user.email, PASSWORD).status_code == 429


def test_the_throttle_is_per_account_and_successes_do_not_count(client, make_user):
    ada = make_user("ada@example.com")
    make_user("grace@example.com")
    for _ in range(5):
        assert sign_in(client, ada.email, "wrong password").status_code == 401
    assert sign_in(client, "grace@example.com", PASSWORD).status_code == 302
    client.post("/logout", headers={"X-CSRFToken": csrf_from(client, "/settings/profile/integrations")})
    for _ in range(6):  # six good sign-ins in a row never lock anybody out
        assert sign_in(client, "grace@example.com", PASSWORD).status_code == 302
        client.post("/logout", headers={"X-CSRFToken": csrf_from(client, "/settings/profile/integrations")})


def test_unknown_emails_are_throttled_like_known_ones(client, user):
    for _ in range(5):
        assert sign_in(client, "nobody@example.com", "wrong password").status_code == 401
    assert sign_in(client, "nobody@example.com", "wrong password").status_code == 429


def test_the_message_never_says_which_part_was_wrong(client, user):
    unknown = sign_in(client, "nobody@example.com", "wrong password").get_data(as_text=True)
    wrong = sign_in(client, user.email, "wrong password").get_data(as_text=True)
    assert "That e-mail and password do not match an account." in unknown
    assert "That e-mail and password do not match an account." in wrong


def app_with(app_config: dict, **settings):
    app = create_app({**app_config, **settings})
    with app.app_context():
        create_user("ada@example.com", PASSWORD)
    return app


def test_behind_a_proxy_the_address_limit_counts_the_forwarded_client(app_config):
    client = app_with(app_config, BEHIND_PROXY=True, LOGIN_LIMIT_PER_ADDRESS="2 per 15 minutes").test_client()
    attacker = {"X-Forwarded-For": "203.0.113.5"}
    assert sign_in(client, "a@example.com", "x", headers=attacker).status_code == 401
    assert sign_in(client, "b@example.com", "x", headers=attacker).status_code == 401
    assert sign_in(client, "c@example.com", "x", headers=attacker).status_code == 429
    assert sign_in(client, "ada@example.com", PASSWORD, headers={"X-Forwarded-For": "203.0.113.6"}).status_code == 302


def test_without_behind_proxy_forwarded_for_is_ignored(app_config):
    client = app_with(app_config, LOGIN_LIMIT_PER_ADDRESS="2 per 15 minutes").test_client()
    assert sign_in(client, "a@example.com", "x", headers={"X-Forwarded-For": "203.0.113.5"}).status_code == 401
    assert sign_in(client, "b@example.com", "x", headers={"X-Forwarded-For": "203.0.113.6"}).status_code == 401
    # both came from the test client's own address, whatever the header claimed
    assert sign_in(client, "c@example.com", "x", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 429


@pytest.fixture
def scrypt_calls(monkeypatch):
    """How many password hashes werkzeug computes (it hashes with hashlib.scrypt)."""
    calls = []
    real = hashlib.scrypt

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return calls


def test_an_unknown_email_computes_a_hash_like_a_known_one(client, user, scrypt_calls):
    sign_in(client, "warm-up@example.com", "wrong password")  # the dummy hash is made once, on first use
    scrypt_calls.clear()
    sign_in(client, user.email, "wrong password")
    known = len(scrypt_calls)
    scrypt_calls.clear()
    sign_in(client, "nobody@example.com", "wrong password")
    assert known == 1
    assert len(scrypt_calls) == known


def cookies_of(client) -> dict[str, str]:
    return {cookie.key: cookie.value for cookie in client._cookies.values()}


def test_logout_ends_the_old_session_and_the_remember_cookie(app, client, user):
    assert sign_in(client, user.email, PASSWORD, remember=True).status_code == 302
    old = cookies_of(client)
    assert {"session", "remember_token"} <= old.keys()
    assert client.get("/").status_code == 200
    client.post("/logout", headers={"X-CSRFToken": csrf_from(client, "/settings/profile/integrations")})

    replay_session = app.test_client()
    replay_session.set_cookie("session", old["session"])
    assert replay_session.get("/").status_code == 302
    replay_remember = app.test_client()
    replay_remember.set_cookie("remember_token", old["remember_token"])
    assert replay_remember.get("/").status_code == 302


def test_remember_cookie_only_with_the_box_ticked(client, user):
    sign_in(client, user.email, PASSWORD)
    assert "remember_token" not in cookies_of(client)


def test_remember_me_is_a_real_checkbox_on_the_form(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<input type="checkbox" name="remember"' in html
    assert "Remember me" in html


def test_the_session_carries_no_row_id(app, client, user):
    sign_in(client, user.email, PASSWORD)
    session = app.session_interface.get_signing_serializer(app).loads(cookies_of(client)["session"])
    with app.app_context():
        assert session["_user_id"] == User.get_by_id(user.id).session_token != str(user.id)


def test_a_password_change_ends_every_session(app, client, user):
    sign_in(client, user.email, PASSWORD, remember=True)
    other_device = app.test_client()
    sign_in(other_device, user.email, PASSWORD)
    with app.app_context():
        set_password(User.get_by_id(user.id), "a brand new password")
    assert client.get("/").status_code == 302
    assert other_device.get("/").status_code == 302
    assert sign_in(app.test_client(), user.email, "a brand new password").status_code == 302


def test_set_password_cli_changes_it_and_signs_out_everywhere(app, client, runner, user):
    sign_in(client, user.email, PASSWORD)
    result = runner.invoke(args=["set-password", user.email], input="another good password\nanother good password\n")
    assert result.exit_code == 0, result.output
    assert client.get("/").status_code == 302
    assert sign_in(app.test_client(), user.email, "another good password").status_code == 302


# --- CSRF and the API ---------------------------------------------------------------------------

def test_cookie_with_a_bogus_bearer_token_still_needs_the_csrf_token(logged_in):
    response = logged_in.post("/api/v1/blocked-slots", headers={"Authorization": "Bearer junk"},
                              json={"start": "2030-01-07T09:00:00+00:00", "end": "2030-01-07T10:00:00+00:00"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "csrf"


def test_cookie_with_someone_elses_token_still_needs_the_csrf_token(app, logged_in, make_user):
    with app.app_context():
        token = issue_api_token(make_user("grace@example.com"))
    response = logged_in.post("/api/v1/blocked-slots", headers={"Authorization": f"Bearer {token}"},
                              json={"start": "2030-01-07T09:00:00+00:00", "end": "2030-01-07T10:00:00+00:00"})
    assert response.status_code == 400


def test_a_valid_token_is_exempt_from_csrf(app, user):
    with app.app_context():
        token = issue_api_token(User.get_by_id(user.id))
    response = app.test_client().post(
        "/api/v1/blocked-slots", headers={"Authorization": f"Bearer {token}"},
        json={"start": "2030-01-07T09:00:00+00:00", "end": "2030-01-07T10:00:00+00:00"})
    assert response.status_code == 201
