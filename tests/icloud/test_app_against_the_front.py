"""The app, pointed at the iCloud-shaped front (the pattern docs/icloud.md gives for iCloud-only tests)."""
from __future__ import annotations

import pytest

from tests.icloud.conftest import ADA
from webapp.sync.run import open_store
from webapp.caldav_store import RateLimited


@pytest.fixture
def app_config(app_config, front):
    return {**app_config, "ICLOUD_CALDAV_URL": front.url, "CALDAV_ALLOWED_HOSTS": front.allowed_hosts}


def test_an_account_store_reaches_the_front_and_sees_its_faults(app, ada, user, make_account):
    account = make_account(user, ADA)
    with app.app_context():
        with open_store(account) as store:
            assert sorted(c.name for c in store.list_calendars()) == ["Home", "Work"]
        ada.fail_next(method="PROPFIND", retry_after=30)
        with open_store(account) as store, pytest.raises(RateLimited) as caught:
            store.home_url()
    assert caught.value.retry_after == 30
