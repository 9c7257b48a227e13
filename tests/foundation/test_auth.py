"""Register, sign in, sign out; sign-up closes once a user exists."""
from __future__ import annotations

from tests.conftest import PASSWORD


def _csrf(client, path):
    page = client.get(path).get_data(as_text=True)
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_first_user_can_register_and_lands_on_integrations(client):
    token = _csrf(client, "/register")
    response = client.post("/register", data={"email": "Ada@Example.com", "password": PASSWORD, "name": "Ada",
                                              "timezone": "Europe/Berlin", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/settings/profile/integrations")
    page = client.get("/settings/profile/integrations").get_data(as_text=True)
    assert "Integrations" in page and "Ada" in page


def test_registration_is_closed_once_a_user_exists(client, user):
    assert client.get("/register").status_code == 404


def test_registration_can_be_opened_by_setting(app_config, user, app):
    app.config["ALLOW_REGISTRATION"] = True
    assert app.test_client().get("/register").status_code == 200


def test_register_rejects_bad_input_with_a_message(client):
    token = _csrf(client, "/register")
    response = client.post("/register", data={"email": "not-an-email", "password": "short", "csrf_token": token})
    assert response.status_code == 422
    assert "valid e-mail" in response.get_data(as_text=True)


def test_unknown_time_zone_is_refused(client):
    token = _csrf(client, "/register")
    response = client.post("/register", data={"email": "a@b.example", "password": PASSWORD,
                                              "timezone": "Mars/Olympus", "csrf_token": token})
    assert response.status_code == 422
    assert "Unknown time zone" in response.get_data(as_text=True)


def test_login_with_wrong_password_says_so(auth, user):
    response = auth.login(password="wrong password")
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)


def test_login_then_logout(auth, client, user):
    assert auth.login().status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": auth.csrf_token()})
    assert client.get("/").status_code == 302


def test_login_never_redirects_off_site(auth, client, user):
    page = client.get("/login?next=//evil.example/x").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/login?next=//evil.example/x",
                           data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"
