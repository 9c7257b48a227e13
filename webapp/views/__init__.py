"""Blueprints, one a module."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import (auth, availability, booking, calendar, calendar_config, date_overrides, event_types, integrations,
                   manage, notifications, profile, subscriptions, team, team_pages, teams_settings)
    from ..ids import IdConverter
    from .api import api

    app.url_map.converters["id"] = IdConverter  # before the rules that use it are added
    for module in (auth, calendar, profile, integrations, subscriptions, calendar_config, availability, date_overrides,
                   event_types, booking, manage, notifications, team, team_pages, teams_settings):
        app.register_blueprint(module.bp)
    app.register_blueprint(api)
    init_context(app)


def init_context(app: Flask) -> None:
    from flask_login import current_user

    from ..models import CalendarAccount
    from ..sync import health

    @app.context_processor
    def _fail_closed_banner() -> dict:
        """FAIL_CLOSED_AFTER_MINUTES: the calendars that keep the owner's booking pages closed."""
        if not current_user.is_authenticated:
            return {"stale_calendars": []}
        return {"stale_calendars": health.stale_calendars(current_user), "fail_closed_minutes": health.fail_closed_minutes()}

    @app.context_processor
    def _reconnect_banner() -> dict:
        """Accounts whose password Apple refused: every page of their owner says so."""
        if not current_user.is_authenticated:
            return {"reconnect_accounts": []}
        accounts = CalendarAccount.of(current_user).where(CalendarAccount.status == CalendarAccount.NEEDS_RECONNECT)
        return {"reconnect_accounts": list(accounts)}
