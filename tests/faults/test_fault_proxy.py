"""Every fault the proxy injects reaches Slotwise's store as one of its own errors, in words."""
from __future__ import annotations

import pytest

from tests.conftest import APP_PASSWORD
from tests.faults.conftest import APPLE_ID
from webapp import caldav_store as store_mod
from webapp.caldav_store import Store


@pytest.fixture
def store(proxy, radicale):
    radicale.make_calendar(APPLE_ID, "work", "Work")
    with Store(proxy.url, APPLE_ID, APP_PASSWORD, timeout=1) as s:
        yield s


def test_clean_proxy_passes_everything_through(store):
    assert [c.name for c in store.list_calendars()] == ["Work"]


@pytest.mark.parametrize(
    ("status", "retry_after", "expected"),
    [
        (401, None, store_mod.BadCredentials),
        (403, None, store_mod.Forbidden),
        (404, None, store_mod.NotFound),
        (412, None, store_mod.PreconditionFailed),
        (500, None, store_mod.ServerError),
        (503, None, store_mod.ServerError),
        (503, "120", store_mod.RateLimited),
        (429, None, store_mod.RateLimited),
    ],
)
def test_injected_status_becomes_our_error(proxy, store, status, retry_after, expected):
    proxy.inject("status", status=status, retry_after=retry_after, method="PROPFIND")
    with pytest.raises(expected) as caught:
        store.list_calendars()
    assert str(caught.value)
    if retry_after:
        assert caught.value.retry_after == 120


@pytest.mark.parametrize("kind", ["reset_before", "reset_after"])
def test_reset_connection_is_unreachable(proxy, store, kind):
    proxy.inject(kind, method="PROPFIND")
    with pytest.raises(store_mod.Unreachable):
        store.list_calendars()


def test_delay_past_timeout_is_unreachable(proxy, store):
    proxy.inject("delay", seconds=1.5, method="PROPFIND")
    with pytest.raises(store_mod.Unreachable):
        store.list_calendars()


@pytest.mark.parametrize("kind", ["truncate", "malformed"])
def test_unreadable_answer_is_malformed(proxy, store, kind):
    proxy.inject(kind, method="PROPFIND")
    with pytest.raises(store_mod.MalformedResponse):
        store.list_calendars()


def test_fault_applies_only_as_many_times_as_asked(proxy, store):
    proxy.inject("status", status=500, times=1)
    with pytest.raises(store_mod.ServerError):
        store.list_calendars()
    assert [c.name for c in store.list_calendars()] == ["Work"]


@pytest.mark.parametrize("status", [503, 429])
def test_a_retry_after_too_long_for_a_float_is_rate_limiting_without_a_wait(proxy, store, status):
    # caldav reads Retry-After with float(int(...)): 400 digits overflow there, outside any DAVError
    proxy.inject("status", status=status, retry_after="9" * 400, method="PROPFIND")
    with pytest.raises(store_mod.RateLimited) as caught:
        store.list_calendars()
    assert caught.value.retry_after is None and "slow down" in str(caught.value)
