"""Two iCloud accounts of one user on the real CalDAV rig, connected through accounts.connect_account."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import APP_PASSWORD
from webapp import accounts
from webapp.models import CalendarAccount, RemoteCalendar, User

PERSONAL = "ada@icloud.example"
WORK = "ada.work@icloud.example"


@dataclass
class Connected:
    personal: CalendarAccount
    work: CalendarAccount

    def calendar(self, name: str) -> RemoteCalendar:
        return RemoteCalendar.get(RemoteCalendar.name == name)


@pytest.fixture
def two_accounts(app, caldav_server, user) -> Connected:
    """Ada's personal Apple ID (Home, Gym) and work Apple ID (Office, Travel), both connected."""
    caldav_server.add_user(PERSONAL, APP_PASSWORD)
    caldav_server.make_calendar(PERSONAL, "home", name="Home", color="#FF2968FF")
    caldav_server.make_calendar(PERSONAL, "gym", name="Gym", color="#63DA38FF")
    caldav_server.add_user(WORK, APP_PASSWORD)
    caldav_server.make_calendar(WORK, "office", name="Office", color="#1BADF8FF")
    caldav_server.make_calendar(WORK, "travel", name="Travel", color="#CC73E1FF")
    with app.test_request_context():
        owner = User.get_by_id(user.id)
        return Connected(accounts.connect_account(owner, PERSONAL, APP_PASSWORD),
                         accounts.connect_account(owner, WORK, APP_PASSWORD))


def htmx(client) -> dict[str, str]:
    return {"HX-Request": "true", "X-CSRFToken": client.csrf}


def roles(app) -> dict[str, str]:
    with app.app_context():
        return {cal.name: cal.role for cal in RemoteCalendar.select()}
