"""Slotwise: a booking calendar for teams whose members live in iCloud Calendar."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from . import config

    config.load(app, test_config)

    from . import auth, cli, crypto, db, errors, filters, hardening, health, htmx, logging_setup, mail, security, throttle
    from .sync import scheduler

    logging_setup.init_app(app)
    db.init_app(app)
    crypto.init_app(app)
    hardening.init_app(app)
    security.init_app(app)
    auth.init_app(app)
    throttle.init_app(app)
    htmx.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    cli.init_app(app)
    mail.init_app(app)

    from .views import register_blueprints

    register_blueprints(app)
    app.register_blueprint(health.bp)
    scheduler.init_app(app)
    return app
