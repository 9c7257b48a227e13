"""Fixtures for connecting iCloud accounts against the real CalDAV rig."""
from __future__ import annotations

import pytest

from tests.conftest import APP_PASSWORD

ADA_APPLE_ID = "ada@icloud.example"


@pytest.fixture
def icloud(caldav_server):
    """The rig with one iCloud-shaped user owning two event calendars and one task list."""
    caldav_server.add_user(ADA_APPLE_ID, APP_PASSWORD)
    caldav_server.make_calendar(ADA_APPLE_ID, "home", name="Home", color="#FF2968FF")
    caldav_server.make_calendar(ADA_APPLE_ID, "work", name="Work", color="#1BADF8FF")
    caldav_server.make_calendar(ADA_APPLE_ID, "todo", name="Reminders", components=("VTODO",))
    return caldav_server


def htmx(client) -> dict[str, str]:
    """Headers an htmx request from a signed-in page carries."""
    return {"HX-Request": "true", "X-CSRFToken": client.csrf}


@pytest.fixture
def post_connect(logged_in):
    def post(email: str = ADA_APPLE_ID, password: str = APP_PASSWORD):
        return logged_in.post("/settings/profile/integrations/icloud/connect",
                              data={"email": email, "password": password}, headers=htmx(logged_in))

    return post
