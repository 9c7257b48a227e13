"""Fixtures for calendar tests: an owner in Europe/Berlin, a Bearer token, dates relative to today."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.bearer import BearerClient
from webapp.auth import issue_api_token
from webapp.models import User

BERLIN = ZoneInfo("Europe/Berlin")
HX = {"HX-Request": "true"}


def monday_in_two_weeks() -> date:
    """A working Monday far enough ahead for minimum notice, well inside the horizon."""
    today = datetime.now(BERLIN).date()
    return today + timedelta(days=7 - today.weekday()) + timedelta(days=7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def owner(app, user) -> User:
    with app.app_context():
        User.update(timezone="Europe/Berlin").where(User.id == user.id).execute()
        return User.get_by_id(user.id)


@pytest.fixture
def token(app, owner) -> str:
    with app.app_context():
        return issue_api_token(owner)


@pytest.fixture
def api(app, token):
    """A test client that sends the Bearer token with every request."""
    return BearerClient(app, token)


@pytest.fixture
def day() -> date:
    return monday_in_two_weeks()


@pytest.fixture
def owner_client(owner, auth, client):
    """The owner signed in; `client.hx` holds the headers htmx sends (with the CSRF token)."""
    auth.login()
    client.hx = {**HX, "X-CSRFToken": auth.csrf_token()}
    return client
