"""Team page tests: the teams tests' admin (Ada) and member (Bob), both in Europe/Berlin, in the team Sales
(in the London zone, so the team's zone shows where it differs from theirs).

Nobody has an iCloud account: their free time is their working hours (Mon–Fri 09:00–17:00) less what a
test blocks by hand. Dates are a Monday two weeks ahead, inside every horizon.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import PASSWORD
from tests.teams.conftest import ada, bob, ctx  # noqa: F401  (the teams tests' admin and member)
from webapp import teams
from webapp.models import EventType

BERLIN = ZoneInfo("Europe/Berlin")
HX = {"HX-Request": "true"}
TYPE_FORM = {"title": "Kick-off", "slug": "", "duration_minutes": "30", "buffer_before_minutes": "0",
             "buffer_after_minutes": "0", "minimum_notice_minutes": "0", "horizon_days": "60", "step_minutes": "30",
             "daily_limit": "", "weekly_limit": "", "description": "", "location": "", "color": "", "active": "on"}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def day() -> date:
    today = datetime.now(BERLIN).date()
    return today + timedelta(days=7 - today.weekday()) + timedelta(days=7)


@pytest.fixture
def team(app, ada, bob):
    with app.app_context():
        team = teams.create_team(ada, "Sales", "sales", "Europe/London")
        teams.add_member(team, bob)
        return team


@pytest.fixture
def make_type(app, ada, team):
    def make(kind: str = EventType.COLLECTIVE, emails=("ada@example.com", "bob@example.com"), **fields) -> EventType:
        data = {"title": f"{kind} call", "duration_minutes": 30, "step_minutes": 30, "minimum_notice_minutes": 0,
                "kind": kind, "member_emails": list(emails), **fields}
        with app.app_context():
            return teams.create_type(ada, team, data)

    return make


def sign_in(client, auth, email: str):
    """`client` signed in as `email`; `client.hx` holds the headers htmx sends (with the CSRF token)."""
    auth.login(email, PASSWORD)
    client.hx = {**HX, "X-CSRFToken": auth.csrf_token()}
    return client


@pytest.fixture
def as_ada(client, auth, ada):
    return sign_in(client, auth, ada.email)


@pytest.fixture
def as_bob(client, auth, bob):
    return sign_in(client, auth, bob.email)


def csrf_of(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return page.split('"X-CSRFToken": "', 1)[1].split('"', 1)[0]
