"""A Retry-After from the server is honoured up to the back-off cap, whatever number it holds."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.faults.conftest import APPLE_ID
from webapp.sync.plan import BACKOFF_CAP_SECONDS
from webapp.models import CalendarAccount, SyncRun, utcnow


@pytest.fixture
def account(app, proxy, radicale, user, make_account) -> CalendarAccount:
    radicale.make_calendar(APPLE_ID, "home", "Home")
    url = proxy.url.rstrip("/") + radicale.calendar_path(APPLE_ID, "home")
    return make_account(user, APPLE_ID, calendars={url: ("Home", "primary")})


@pytest.mark.parametrize(("header", "wait"), [
    ("99999999999999999999", BACKOFF_CAP_SECONDS),  # past timedelta's range
    (str(BACKOFF_CAP_SECONDS * 48), BACKOFF_CAP_SECONDS),  # two days: more than Slotwise ever waits
    ("120", 120),
])
def test_sync_now_under_any_retry_after_answers_and_waits_at_most_the_cap(app, proxy, logged_in, account, header,
                                                                           wait):
    proxy.inject("status", status=503, retry_after=header, method="REPORT", times=-1)
    before = utcnow()
    response = logged_in.post(f"/settings/profile/integrations/accounts/{account.id}/sync",
                              headers={"X-CSRFToken": logged_in.csrf, "HX-Request": "true"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"try again in {wait} seconds" in page  # the card tells the user, in the clamped figure
    with app.app_context():
        stored = CalendarAccount.get_by_id(account.id)
        assert stored.status == CalendarAccount.ERROR
        assert before + timedelta(seconds=wait - 5) <= stored.next_sync_after <= utcnow() + timedelta(seconds=wait)
        run = SyncRun.get(SyncRun.account == account.id)
        assert run.finished_at is not None and f"{wait} seconds" in run.error
