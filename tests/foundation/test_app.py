"""App factory, configuration, schema, layout and error pages."""
from __future__ import annotations

from webapp import create_app
from webapp.db import MIGRATIONS, create_schema, database
from webapp.models import SchemaVersion


def test_test_config_overrides_defaults(app):
    assert app.testing
    assert app.config["ICLOUD_CALDAV_URL"] == "http://127.0.0.1:9/"
    assert app.config["SYNC_INTERVAL_SECONDS"] == 60
    assert app.config["SCHEDULER_ENABLED"] is False


def test_environment_settings_are_read_by_name(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("ICLOUD_CALDAV_URL", "http://127.0.0.1:5232/")
    monkeypatch.setenv("SYNC_INTERVAL_SECONDS", "15")
    monkeypatch.setenv("SCHEDULER_ENABLED", "0")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("SLOTWISE_ENCRYPTION_KEY", "k6bX5tqWnkq8cYpJvN0Qm0JgXlWkL3x4bJYy6nT6sF0=")
    app = create_app()
    assert app.config["ICLOUD_CALDAV_URL"] == "http://127.0.0.1:5232/"
    assert app.config["SYNC_INTERVAL_SECONDS"] == 15
    assert app.config["SCHEDULER_ENABLED"] is False
    assert app.config["SECRET_KEY"] == "from-env"
    assert (tmp_path / "env.db").exists()


def test_schema_is_created_and_versioned(app):
    with app.app_context():
        tables = set(database.get_tables())
        assert {"user", "calendaraccount", "remotecalendar", "blockedslot", "appointment", "syncrun"} <= tables
        assert SchemaVersion.get().version == len(MIGRATIONS)
        assert create_schema() == len(MIGRATIONS)  # running again changes nothing


def test_unknown_route_is_a_404_page_in_the_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "404" in html and "Slotwise</title>" in html


def test_pages_need_sign_in(client):
    for path in ("/", "/settings/profile/integrations", "/settings/profile/calendar-configuration"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_post_without_csrf_token_is_refused(client, user):
    response = client.post("/login", data={"email": user.email, "password": "whatever"})
    assert response.status_code == 400
    assert "token" in response.get_data(as_text=True).lower()


def test_htmx_post_with_csrf_header_passes_the_check(logged_in):
    response = logged_in.post("/logout", headers={"X-CSRFToken": logged_in.csrf, "HX-Request": "true"})
    assert response.status_code == 302


def test_responses_vary_on_hx_request(client):
    assert "HX-Request" in client.get("/login").headers.get("Vary", "")
