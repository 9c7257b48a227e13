"""A public instance's defences in depth: security headers, cookie flags, the reverse proxy.

The header layer is a small after_request hook (the issue allows "flask-talisman or an equally small
header layer"): Talisman's per-view options are kept on the shared view functions and mutated on
first use, which leaks one app's settings into the next, and its defaults force HTTPS and Secure
cookies, which this app decides from PUBLIC_URL instead.
"""
from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

# Only our own scripts and styles: no style="" attribute, no <style> element and no inline or eval'd
# script. The week's positions and calendar colours travel as data attributes that static/app.js
# applies through the CSSOM; htmx is told not to inject its indicator <style> (base.html's meta tag).
CSP: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), browsing-topics=()",
}


def policy(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def embed_origins(app: Flask) -> str:
    """BOOKING_EMBED_ORIGINS (comma or space separated) as a CSP source list, or '' for none."""
    raw = str(app.config.get("BOOKING_EMBED_ORIGINS") or "")
    return " ".join(part for part in raw.replace(",", " ").split() if part)


def is_https(app: Flask) -> bool:
    return str(app.config.get("PUBLIC_URL") or "").lower().startswith("https://")


def init_app(app: Flask) -> None:
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if is_https(app):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if app.config.get("BEHIND_PROXY"):
        # One proxy in front: trust its X-Forwarded-For/-Proto/-Host/-Port/-Prefix, nothing further back.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)

    site_policy = policy(CSP)
    embedders = embed_origins(app)
    booking_policy = policy({**CSP, "frame-ancestors": embedders}) if embedders else site_policy
    hsts = is_https(app)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        embeddable = bool(embedders) and request.blueprint == "booking"
        response.headers["Content-Security-Policy"] = booking_policy if embeddable else site_policy
        if not embeddable:
            response.headers["X-Frame-Options"] = "DENY"  # for browsers without frame-ancestors
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if hsts:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response
