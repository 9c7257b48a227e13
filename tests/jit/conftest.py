"""Fixtures for the check before a booking: the owner (Europe/Berlin) with an iCloud account on the test
server (Home is the Primary Calendar, Work is checked for conflicts, Other is not read), synced once."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest

from tests.calendar.conftest import BERLIN, HX, api, at, day, owner, owner_client, token  # noqa: F401
from tests.conftest import APP_PASSWORD
from tests.sync.conftest import ICLOUD_USER, vevent  # noqa: F401  (ICLOUD_USER: for the tests)
from webapp.models import BlockedSlot, SyncRun, User


@pytest.fixture
def app_config(app_config: dict) -> dict:
    # A loaded test machine must not run out of the budget by accident; the budget tests set their own.
    app_config["JIT_CHECK_BUDGET_MS"] = 60_000
    return app_config


def naive_utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def wait_for(predicate, seconds: float = 30) -> None:
    """Wait for a background thread's effect (not a timed assertion: it only gives up eventually)."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("gave up waiting")
        time.sleep(0.02)


@dataclass
class Calendars:
    app: object
    server: object
    owner: User
    account_id: int
    home: str
    work: str

    def put_busy(self, day: date, hour: int, minutes: int = 60, calendar: str = "work", name: str = "busy") -> None:
        """An event written straight to the test server (raw HTTP), as iCloud would have it a second ago."""
        start = naive_utc(at(day, hour))
        self.server.put_event(ICLOUD_USER, calendar, f"{name}.ics", vevent(f"{name}@test", start, minutes, "Dentist"))

    def blocked(self) -> list[datetime]:
        with self.app.app_context():
            return sorted(s.start_utc for s in BlockedSlot.select().where(BlockedSlot.source == BlockedSlot.ICLOUD))

    def runs(self, kind: str) -> list[SyncRun]:
        with self.app.app_context():
            return list(SyncRun.select().where(SyncRun.kind == kind).order_by(SyncRun.id))


@pytest.fixture
def calendars(app, caldav_server, owner, make_account) -> Calendars:
    from webapp.sync import sync_account_now

    caldav_server.add_user(ICLOUD_USER, APP_PASSWORD)
    home = caldav_server.make_calendar(ICLOUD_USER, "home", "Home")
    work = caldav_server.make_calendar(ICLOUD_USER, "work", "Work")
    other = caldav_server.make_calendar(ICLOUD_USER, "other", "Other")
    account = make_account(owner, ICLOUD_USER,
                           calendars={home: ("Home", "primary"), work: ("Work", "conflict"), other: ("Other", "none")})
    with app.app_context():
        run = sync_account_now(account.id)
        assert run.error is None
    return Calendars(app, caldav_server, owner, account.id, home, work)


def csrf_of(client, slug: str) -> str:
    page = client.get(f"/book/{slug}").get_data(as_text=True)
    return page.split('"X-CSRFToken": "', 1)[1].split('"', 1)[0]

