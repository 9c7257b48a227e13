"""A signed-in owner with the demo's iCloud calendars on a real Radicale, for the guide and the axe checks."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from webapp.demo.calendars import DemoAppleId, demo_apple_ids, ics
from webapp.models import User

OWNER_EMAIL = "robin@example.com"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1000, "height": 760}


@dataclass
class Showcase:
    owner: User
    connected: DemoAppleId
    second: DemoAppleId

    @property
    def booking_path(self) -> str:
        return f"/book/{self.owner.booking_slug}"


@pytest.fixture
def app_config(app_config: dict, radicale) -> dict:
    app_config["ICLOUD_CALDAV_URL"] = radicale.url
    return app_config


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    """The owner's zone and a screen the size of the guide's pictures."""
    return {**browser_context_args, "timezone_id": "Europe/Berlin", "locale": "en-GB", "viewport": DESKTOP}


@pytest.fixture
def showcase(app, radicale, make_user) -> Showcase:
    """Robin, connected to the demo's main Apple ID (Work primary, Home for conflicts) and synced."""
    from webapp.accounts import connect_account
    from webapp.calendar_roles import configure_calendars
    from webapp.models import RemoteCalendar
    from webapp.sync import sync_account_now

    main, second = demo_apple_ids(date.today())
    for apple_id in (main, second):
        radicale.add_user(apple_id.email, apple_id.password)
        for calendar in apple_id.calendars:
            radicale.make_calendar(apple_id.email, calendar.calendar_id, name=calendar.name, color=calendar.color)
            for event in calendar.events:
                radicale.put_event(apple_id.email, calendar.calendar_id, f"{event.uid}.ics", ics(event))
    owner = make_user(OWNER_EMAIL, name="Robin Example", timezone="Europe/Berlin")
    with app.test_request_context():
        account = connect_account(User.get_by_id(owner.id), main.email, main.password)
        by_name = {cal.name: cal.id for cal in RemoteCalendar.select().where(RemoteCalendar.account == account)}
        configure_calendars(User.get_by_id(owner.id), by_name["Work"], [by_name["Home"]])
        run = sync_account_now(account.id)
        assert run is not None and not run.error
    return Showcase(owner, main, second)


@pytest.fixture
def signed_in(page, live_server, showcase):
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail").fill(OWNER_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    return page


@pytest.fixture
def shots_dir(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Where screenshots go: docs/img under `make docs` (--docs-screenshots), else a temporary folder."""
    target = request.config.getoption("docs_screenshots")
    path = Path(target) if target else tmp_path / "img"
    path.mkdir(parents=True, exist_ok=True)
    return path
