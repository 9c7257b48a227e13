"""One colour cleaner and one e-mail check, and every way in uses them."""
from __future__ import annotations

import pytest

from webapp.cleaning import clean_color, clean_email


@pytest.mark.parametrize("raw, clean", [
    ("#FF2968FF", "#FF2968"), ("#1badf8", "#1badf8"), (" #abc ", "#abc"), ("#abcd", "#abc"),
    ("#zzzzzz", None), ("red", None), ("#12345", None), ("", None), (None, None),
    ("#fff;background:url(x)", None),
])
def test_calendar_colours_are_plain_hex_or_nothing(raw, clean):
    assert clean_color(raw) == clean


@pytest.mark.parametrize("raw, clean", [
    (" Ada@Example.COM ", "ada@example.com"), ("a@b.c", "a@b.c"),
    ("ada@icloud", None), ("@example.com", None), ("ada@", None), ("a b@example.com", None),
    ("a@@example.com", None), ("x" * 250 + "@example.com", None), ("", None),
])
def test_email_addresses_have_one_at_and_a_dotted_domain(raw, clean):
    assert clean_email(raw) == clean


@pytest.mark.parametrize("email", ["ada@icloud", "a b@example.com"])
def test_a_new_user_and_a_contact_refuse_the_same_addresses(app, client, user, email):
    """The same address is refused for a new user (the CLI's create-user) and for a contact (the API)."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", email, "--password", "long enough pw"])
    assert result.exit_code != 0 and "valid e-mail" in result.output
    from webapp.auth import issue_api_token

    with app.app_context():
        token = issue_api_token(user)
    answer = client.post("/api/v1/appointments", headers={"Authorization": f"Bearer {token}"},
                         json={"start": "2030-01-07T10:00:00Z", "end": "2030-01-07T10:30:00Z",
                               "contact": {"name": "Ada", "email": email}})
    assert answer.status_code == 422 and "valid e-mail" in answer.get_json()["message"]
