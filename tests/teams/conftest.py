"""Team tests: an admin (Ada) and a member (Bob), both in Europe/Berlin, in the team Sales; dates ahead."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from webapp import teams
from webapp.auth import issue_api_token
from webapp.models import User

BERLIN = ZoneInfo("Europe/Berlin")


def next_monday(weeks: int = 2) -> date:
    today = datetime.now(BERLIN).date()
    return today + timedelta(days=7 - today.weekday()) + timedelta(days=7 * (weeks - 1))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def ada(ctx, make_user) -> User:
    user = make_user(email="ada@example.com", name="Ada", timezone="Europe/Berlin")
    User.update(is_admin=True).where(User.id == user.id).execute()
    return User.get_by_id(user.id)


@pytest.fixture
def bob(ctx, make_user) -> User:
    return make_user(email="bob@example.com", name="Bob", timezone="Europe/Berlin")


@pytest.fixture
def team(ada, bob):
    team = teams.create_team(ada, "Sales", "sales")
    teams.add_member(team, bob)
    return team


@pytest.fixture
def make_type(ada, team):
    def make(kind: str = "round_robin", emails=("ada@example.com", "bob@example.com"), **fields):
        data = {"title": fields.pop("title", f"{kind} call"), "duration_minutes": 30, "step_minutes": 30,
                "minimum_notice_minutes": 0, "kind": kind, "member_emails": list(emails), **fields}
        return teams.create_type(ada, team, data)

    return make


@pytest.fixture
def day() -> date:
    return next_monday()


@pytest.fixture
def tokens(ada, bob) -> dict[str, str]:
    return {"ada": issue_api_token(ada), "bob": issue_api_token(bob)}
