"""Settings: defaults, then instance/config.py, then the environment, then a test dict."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from .caldav_store import DEFAULT_ALLOWED_HOSTS, DEFAULT_MAX_RESPONSE_BYTES, host_rules

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None means sqlite:///<instance>/slotwise.db
    "ICLOUD_CALDAV_URL": "https://caldav.icloud.com",
    "CALDAV_TIMEOUT_SECONDS": 20,
    "CALDAV_ALLOWED_HOSTS": DEFAULT_ALLOWED_HOSTS,  # hosts besides ICLOUD_CALDAV_URL's that may get the password
    "CALDAV_MAX_RESPONSE_BYTES": DEFAULT_MAX_RESPONSE_BYTES,  # one reply past this fails that calendar
    "SYNC_INTERVAL_SECONDS": 60,
    "SYNC_HORIZON_DAYS": 180,
    # subscribed calendars (webapp.feeds)
    "ALLOW_PRIVATE_FEEDS": False,  # fetch feeds on loopback, private and link-local addresses too
    "FEED_MAX_BYTES": 10 * 1024 * 1024,
    "FEED_TIMEOUT_SECONDS": 20,
    "JIT_CHECK_BUDGET_MS": 1500,  # how long a booking waits for the check of the owner's calendars
    "FAIL_CLOSED_AFTER_MINUTES": None,  # None: off; else no public times while a calendar is that stale
    "SCHEDULER_ENABLED": False,
    "ALLOW_REGISTRATION": False,
    "SLOTWISE_ENCRYPTION_KEY": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_CHECK_DEFAULT": False,  # checked in webapp.security, where Bearer API calls are exempt
    "WTF_CSRF_TIME_LIMIT": None,
    # e-mail to bookers and owners (webapp.mail)
    "MAIL_URL": None,  # smtp://[user:pass@]host:port or smtps://…:465; unset: messages wait in the outbox
    "MAIL_FROM": None,
    "PUBLIC_URL": None,  # the base of every link in an e-mail; required for e-mail to be sent
    "SELF_SERVICE_CUTOFF_HOURS": 2,
    "REMINDER_HOURS": 24,  # 0 = no reminders
    "BOOKING_LIMIT_PER_EMAIL": 3,  # pending bookings of one e-mail with one owner
    "BOOKING_LIMIT_PER_ADDRESS_PER_HOUR": 10,
    "MAIL_TIMEOUT_SECONDS": 20,
    # serving (webapp.serve) and hardening (webapp.hardening, webapp.throttle)
    "HOST": "127.0.0.1",
    "PORT": 5000,
    "WAITRESS_THREADS": 8,
    "BEHIND_PROXY": False,
    "BOOKING_EMBED_ORIGINS": "",
    "LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
    "LOGIN_LIMIT_PER_ADDRESS": "20 per 15 minutes",
    "RATELIMIT_STORAGE_URI": "memory://",
    "REMEMBER_COOKIE_DAYS": 30,
}

# Environment variables read by name, with the type each is parsed as.
ENV_SETTINGS: dict[str, type] = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "ICLOUD_CALDAV_URL": str,
    "CALDAV_TIMEOUT_SECONDS": float,
    "CALDAV_ALLOWED_HOSTS": str,
    "CALDAV_MAX_RESPONSE_BYTES": int,
    "SYNC_INTERVAL_SECONDS": int,
    "SYNC_HORIZON_DAYS": int,
    "ALLOW_PRIVATE_FEEDS": bool,
    "FEED_MAX_BYTES": int,
    "FEED_TIMEOUT_SECONDS": float,
    "JIT_CHECK_BUDGET_MS": int,
    "FAIL_CLOSED_AFTER_MINUTES": float,
    "SCHEDULER_ENABLED": bool,
    "ALLOW_REGISTRATION": bool,
    "SLOTWISE_ENCRYPTION_KEY": str,
    "MAIL_URL": str,
    "MAIL_FROM": str,
    "PUBLIC_URL": str,
    "SELF_SERVICE_CUTOFF_HOURS": float,
    "REMINDER_HOURS": float,
    "BOOKING_LIMIT_PER_EMAIL": int,
    "BOOKING_LIMIT_PER_ADDRESS_PER_HOUR": int,
    "MAIL_TIMEOUT_SECONDS": float,
    "HOST": str,
    "PORT": int,
    "WAITRESS_THREADS": int,
    "BEHIND_PROXY": bool,
    "BOOKING_EMBED_ORIGINS": str,
    "LOGIN_LIMIT_PER_ACCOUNT": str,
    "LOGIN_LIMIT_PER_ADDRESS": str,
    "RATELIMIT_STORAGE_URI": str,
    "REMEMBER_COOKIE_DAYS": int,
}


def parse_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        for name, kind in ENV_SETTINGS.items():
            raw = os.environ.get(name)
            if raw is None or raw == "":
                continue
            app.config[name] = parse_bool(raw) if kind is bool else kind(raw)
        app.config.from_prefixed_env("SLOTWISE")
    else:
        app.config.update(test_config)
    host_rules(app.config["CALDAV_ALLOWED_HOSTS"])  # a bad entry stops the start, with its name in the message
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'slotwise.db'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(app, "secret_key", lambda: secrets.token_hex(32))


def instance_secret(app: Flask, filename: str, make: Any) -> str:
    """Read a secret kept in instance/, creating it (mode 0600) on first use."""
    path = Path(app.instance_path) / filename
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value
