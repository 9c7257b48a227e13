"""create-user, api-token and Bearer authentication on /api/v1."""
from __future__ import annotations

from webapp.models import ApiToken, User


def test_create_user_then_api_token_then_me(app, runner):
    result = runner.invoke(args=["create-user", "grace@example.com", "--password", "s3cret-pass",
                                 "--name", "Grace", "--timezone", "Europe/Berlin"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["api-token", "grace@example.com"])
    assert result.exit_code == 0
    token = result.stdout.strip()
    assert token.startswith("sw_") and "\n" not in token
    with app.app_context():
        assert not ApiToken.select().where(ApiToken.token_hash == token).exists()  # stored hashed
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json["email"] == "grace@example.com"
    assert response.json["timezone"] == "Europe/Berlin"


def test_create_user_refuses_unknown_zone(runner):
    result = runner.invoke(args=["create-user", "x@example.com", "--password", "s3cret-pass", "--timezone", "Nowhere"])
    assert result.exit_code != 0
    assert "Unknown time zone" in result.output


def test_init_db_is_repeatable(runner):
    assert "schema version" in runner.invoke(args=["init-db"]).output
    assert runner.invoke(args=["init-db"]).exit_code == 0


def test_api_without_token_is_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json["error"] == "unauthorized"


def test_api_with_a_wrong_token_is_401(client, user):
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer sw_nope"}).status_code == 401


def test_api_by_session_cookie_works_for_reads(logged_in):
    assert logged_in.get("/api/v1/me").json["email"] == "ada@example.com"


def test_api_write_by_cookie_needs_csrf_but_bearer_does_not(app, logged_in, user):
    # No API write route exists in the foundation; a 404/405 after the CSRF check proves the order.
    assert logged_in.post("/api/v1/me").status_code == 400  # CSRF refused first
    with app.app_context():
        from webapp.auth import issue_api_token

        token = issue_api_token(User.get_by_id(user.id))
    fresh = app.test_client()
    assert fresh.post("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 405
