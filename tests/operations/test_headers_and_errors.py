"""Security headers on every page, cookie flags from PUBLIC_URL, embedding, and 500s that show nothing."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from webapp import create_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pages(app, logged_in, user):
    from webapp.models import User

    with app.app_context():
        slug = User.get_by_id(user.id).booking_slug
    return ["/", "/settings/profile/integrations", "/settings/profile/calendar-configuration",
            "/settings/profile/availability", f"/book/{slug}", f"/book/{slug}/month", "/no/such/page",
            "/healthz", "/api/v1/me", "/static/app.css"]


def test_every_page_sends_the_security_headers(logged_in, pages):
    for path in pages:
        with logged_in.get(path, follow_redirects=True) as response:
            headers = response.headers
        csp = headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in csp and "style-src 'self'" in csp, path
        assert "frame-ancestors 'none'" in csp, path
        assert "unsafe-eval" not in csp and "script-src 'self' 'unsafe-inline'" not in csp, path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path
        assert headers["X-Frame-Options"] == "DENY", path


def test_signed_out_pages_send_them_too(client):
    for path in ("/login", "/register", "/book/nobody"):
        assert "default-src 'self'" in client.get(path).headers["Content-Security-Policy"]


def test_the_booking_page_may_be_embedded_by_the_listed_origins_only(app_config, user):
    app = create_app({**app_config, "BOOKING_EMBED_ORIGINS": "https://www.example.com, https://shop.example.org"})
    client = app.test_client()
    from webapp.models import User

    with app.app_context():
        slug = User.get(User.email == user.email).booking_slug
    booking = client.get(f"/book/{slug}")
    assert "frame-ancestors https://www.example.com https://shop.example.org" in booking.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in booking.headers
    login = client.get("/login")
    assert "frame-ancestors 'none'" in login.headers["Content-Security-Policy"]
    assert login.headers["X-Frame-Options"] == "DENY"


def test_no_inline_scripts_or_eval_attributes_in_templates():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, f"inline script in {template}"
        assert "<style" not in text, template
        assert not re.search(r"\s(hx-on[:-]|on[a-z]+=)", text), f"inline handler in {template}"


def test_htmx_is_told_not_to_inject_styles_or_eval_on_every_page(logged_in, pages):
    for path in pages[:5]:
        html = logged_in.get(path).get_data(as_text=True)
        # htmx reads the first htmx-config meta of the page only
        first = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'>', html).group(1)
        config = json.loads(first)
        assert config["includeIndicatorStyles"] is False and config["allowEval"] is False, path


def test_cookies_are_secure_lax_when_public_url_is_https(app_config, user):
    app = create_app({**app_config, "PUBLIC_URL": "https://slots.example.com"})
    client = app.test_client()
    https = "https://slots.example.com"  # the test client keeps Secure cookies to https requests
    page = client.get("/login", base_url=https).get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/login", base_url=https, headers={"Referer": f"{https}/login"}, data={"email": user.email, "password": "correct horse battery",
                                                           "remember": "on", "csrf_token": csrf})
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("session=") for c in cookies) and any(c.startswith("remember_token=") for c in cookies)
    for cookie in cookies:
        assert "Secure" in cookie and "SameSite=Lax" in cookie and "HttpOnly" in cookie, cookie
    assert client.get("/login", base_url="https://slots.example.com").headers["Strict-Transport-Security"]


def test_cookies_are_lax_but_not_secure_over_plain_http(client, user):
    page = client.get("/login")
    cookie = page.headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "Strict-Transport-Security" not in page.headers


@pytest.fixture
def failing_app(app_config):
    app = create_app({**app_config, "TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail: password=hunter2")

    @app.get("/api/v1/boom")
    def api_boom():
        raise KeyError("internal key 'hunter2'")

    return app


def test_an_unhandled_error_shows_a_page_without_details(failing_app):
    response = failing_app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong on our side" in html
    assert response.headers["X-Request-ID"] in html
    assert "hunter2" not in html and "Traceback" not in html and "RuntimeError" not in html


def test_an_unhandled_api_error_is_json_without_details(failing_app):
    response = failing_app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    body = response.get_json()
    assert body["error"] == "internal_error" and body["request_id"] == response.headers["X-Request-ID"]
    assert "hunter2" not in response.get_data(as_text=True) and "KeyError" not in response.get_data(as_text=True)
