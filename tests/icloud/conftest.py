"""The iCloud-shaped front on its own, for tests of iCloud-only behaviour."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import APP_PASSWORD
from tests.rigs.icloud_front import IcloudFront
from tests.rigs.radicale_rig import RadicaleRig

ADA = "ada@icloud.example"


@pytest.fixture
def front(radicale: RadicaleRig) -> Iterator[IcloudFront]:
    rig = IcloudFront(radicale)
    yield rig
    rig.stop()


@pytest.fixture
def ada(front: IcloudFront) -> IcloudFront:
    """Ada's account with two event calendars (one colour without alpha, one with) and her Reminders."""
    front.add_user(ADA, APP_PASSWORD)
    front.make_calendar(ADA, "2A1F0C3E-WORK", name="Work", color="#FF2968")
    front.make_calendar(ADA, "7B9D4E10-HOME", name="Home", color="#1BADF8FF")
    return front
