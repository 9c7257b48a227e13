"""An owner in Europe/Berlin with one mirrored calendar (tests/rules/conftest.py), a Bearer token and a day."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.rules.conftest import mirror  # noqa: F401 (the fixture, used by name)
from webapp.auth import issue_api_token

BERLIN = ZoneInfo("Europe/Berlin")


def next_monday() -> date:
    today = datetime.now(BERLIN).date()
    return today + timedelta(days=7 - today.weekday()) + timedelta(days=7)


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    """Naive UTC of a Berlin wall-clock time."""
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


@pytest.fixture
def bearer(app, mirror) -> dict[str, str]:  # noqa: F811
    with app.app_context():
        return {"Authorization": f"Bearer {issue_api_token(mirror.owner)}"}
