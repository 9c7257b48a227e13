"""The time helpers: one behaviour for a user's zone, the year guard, ISO 8601 for the API."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from webapp.times import BadTime, aware, naive_utc, parse_day, parse_instant, parse_local, zone_named, zone_names

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", None, "../etc/passwd"])
def test_a_zone_that_is_unknown_or_missing_is_read_as_utc(name):
    assert zone_named(name) == ZoneInfo("UTC")


def test_the_zone_picker_lists_region_names_and_utc():
    names = zone_names()
    assert "Europe/Berlin" in names and "UTC" in names and "EST" not in names and names == sorted(names)


def test_naive_utc_and_aware_are_inverse():
    stored = datetime(2026, 3, 29, 1, 30)
    shown = aware(stored, BERLIN)
    assert shown.utcoffset().total_seconds() == 7200 and naive_utc(shown) == stored


@pytest.mark.parametrize("text", ["1899-12-31", "2201-01-01", "0001-01-01", "not a day", ""])
def test_days_far_off_or_garbled_are_not_days(text):
    assert parse_day(text) is None


def test_a_form_time_too_far_off_says_so():
    with pytest.raises(BadTime, match="closer to today"):
        parse_local("9999-01-01", "10:00", BERLIN)
    assert parse_local("2026-06-01", "10:00", BERLIN) == datetime(2026, 6, 1, 10, tzinfo=BERLIN)


@pytest.mark.parametrize("text, words", [
    ("2026-06-01T10:00", "no UTC offset"),
    ("9999-06-01T10:00Z", "too far"),
    ("2026-13-01", "not a date"),
    ("tomorrow", "not an ISO 8601"),
])
def test_api_instants_need_an_offset_and_a_near_year(text, words):
    with pytest.raises(BadTime, match=words):
        parse_instant(text, BERLIN)


def test_api_instants_take_z_and_dates_as_local_midnight():
    assert parse_instant("2026-06-01T08:00Z", BERLIN) == datetime(2026, 6, 1, 8, tzinfo=timezone.utc)
    assert parse_instant("2026-06-01", BERLIN) == datetime(2026, 6, 1, tzinfo=BERLIN)
    assert parse_day("2026-06-01") == date(2026, 6, 1)


def test_the_date_filter_writes_the_day_without_a_leading_zero():
    from webapp.filters import day

    assert day(date(2026, 6, 1)) == "Monday 1 June 2026"
    assert day(date(2026, 6, 1), "short_no_year") == "Mon 1 Jun"
    assert day(date(2026, 12, 24), "day_month_year") == "24 Dec 2026"
