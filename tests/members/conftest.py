"""Members tests: a real SMTP server on loopback, PUBLIC_URL for the links, the first user (an admin)."""
from __future__ import annotations


import pytest

from tests.conftest import PASSWORD
from tests.rigs.smtp_rig import SmtpRig
from webapp.models import User

PUBLIC_URL = "https://slotwise.example.test"
HX = {"HX-Request": "true"}


@pytest.fixture
def app_config(app_config: dict, smtp: SmtpRig) -> dict:
    app_config.update(MAIL_URL=smtp.url, MAIL_FROM="team@example.test", PUBLIC_URL=PUBLIC_URL)
    return app_config


@pytest.fixture
def admin(user) -> User:
    """The first user: an admin because it is the first."""
    assert user.is_admin
    return user


def csrf_of(client, url: str = "/settings/team") -> str:
    page = client.get(url).get_data(as_text=True)
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def accept_link(message) -> str:
    """The URL after `Accept: ` in the plain-text part of an invitation e-mail."""
    text = message.get_body(("plain",)).get_content()
    for line in text.splitlines():
        if line.startswith("Accept: "):
            return line.removeprefix("Accept: ").strip()
    raise AssertionError(f"no Accept link in:\n{text}")


def sign_in(client, email: str, password: str = PASSWORD):
    csrf = csrf_of(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf})
