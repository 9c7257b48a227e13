"""Fixtures for fault injection: the plain Radicale rig behind a fault-injecting proxy."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import APP_PASSWORD
from tests.rigs.fault_proxy import FaultProxy

APPLE_ID = "faults@icloud.example"


@pytest.fixture
def proxy(radicale) -> Iterator[FaultProxy]:
    radicale.add_user(APPLE_ID, APP_PASSWORD)
    fault_proxy = FaultProxy(radicale.url)
    yield fault_proxy
    fault_proxy.stop()


@pytest.fixture
def app_config(app_config: dict, proxy: FaultProxy) -> dict:
    """Slotwise talks to the proxy, with a short timeout so delays past it are quick to test."""
    app_config["ICLOUD_CALDAV_URL"] = proxy.url
    app_config["CALDAV_TIMEOUT_SECONDS"] = 1
    return app_config
