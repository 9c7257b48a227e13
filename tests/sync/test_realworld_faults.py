"""The four reading faults found by running the readers over real-world calendars (issue 12.9), each on
a fixture of our own written in the shape the real-world client writes it. Both readers are asked:
`reading.read_object` (quick path, falling back to the full reader) and the full reader alone."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from webapp.calendars import ical, reading

FIXTURES = Path(__file__).parent / "fixtures"
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WINDOW = (datetime(2026, 1, 1), datetime(2027, 1, 1))


def full(name: str, zone: ZoneInfo = BERLIN) -> list[ical.Busy]:
    return ical.busy_occurrences(ical.parse((FIXTURES / name).read_text()), *WINDOW, zone)


def quick(name: str, zone: ZoneInfo = BERLIN) -> list[ical.Busy]:
    return reading.read_object((FIXTURES / name).read_text(), *WINDOW, zone)[1]


READERS = pytest.mark.parametrize("read", [full, quick], ids=["full", "quick"])


def times(busy: list[ical.Busy]) -> list[tuple[datetime, datetime]]:
    return [(b.start, b.end) for b in busy]


@READERS
def test_floating_series_stays_in_the_owner_zone_and_a_utc_exdate_removes_its_instant(read):
    # 10:00 floating, weekly across the DST change; EXDATE 09:00Z is 10:00 in Berlin on 23 March.
    assert times(read("floating_weekly_utc_exdate.ics")) == [
        (datetime(2026, 3, 16, 9), datetime(2026, 3, 16, 10)),
        (datetime(2026, 3, 30, 8), datetime(2026, 3, 30, 9)),
        (datetime(2026, 4, 6, 8), datetime(2026, 4, 6, 9)),
    ]
    # In New York 09:00Z on 23 March is 05:00: no occurrence there, so nothing is removed.
    assert len(read("floating_weekly_utc_exdate.ics", NEW_YORK)) == 4
    assert read("floating_weekly_utc_exdate.ics", NEW_YORK)[0].start == datetime(2026, 3, 16, 14)


@READERS
def test_floating_series_with_a_utc_rdate_keeps_its_occurrences_in_the_owner_zone(read):
    assert times(read("floating_weekly_utc_rdate.ics")) == [
        (datetime(2026, 3, 16, 9), datetime(2026, 3, 16, 10)),
        (datetime(2026, 3, 23, 9), datetime(2026, 3, 23, 10)),
        (datetime(2026, 3, 30, 8), datetime(2026, 3, 30, 9)),
        (datetime(2026, 4, 2, 8), datetime(2026, 4, 2, 9)),  # the RDATE, at its own instant
    ]


@READERS
@pytest.mark.parametrize("name, count", [("repeating_malformed_alarm.ics", 2), ("single_malformed_alarm.ics", 1)])
def test_malformed_alarm_geo_attach_and_x_properties_never_make_an_event_unreadable(read, name, count):
    busy = read(name)
    assert len(busy) == count
    assert (busy[0].start, busy[0].end) == (datetime(2026, 3, 16, 9), datetime(2026, 3, 16, 10))


@READERS
def test_two_objects_defining_the_same_custom_tzid_differently_are_each_read_with_their_own(read):
    for _ in range(2):  # in both orders, in one process (icalendar keeps zones for its life)
        assert times(read("custom_tzid_plus0530.ics")) == [(datetime(2026, 3, 10, 3, 30), datetime(2026, 3, 10, 4, 30))]
        assert times(read("custom_tzid_minus0500.ics")) == [(datetime(2026, 3, 10, 14), datetime(2026, 3, 10, 15))]


@READERS
def test_date_start_with_a_date_time_end_is_one_all_day_event_single_or_repeating(read):
    [single] = read("date_start_datetime_end.ics")
    first, second = read("date_start_datetime_end_weekly.ics")
    assert single.all_day and first.all_day and second.all_day
    assert (single.start, single.end) == (first.start, first.end) == (datetime(2026, 3, 9, 23), datetime(2026, 3, 10, 23))
    assert (second.start, second.end) == (datetime(2026, 3, 16, 23), datetime(2026, 3, 17, 23))


@READERS
def test_dtend_wins_over_a_duration_beside_it_single_or_repeating(read):
    [single] = read("dtend_and_duration.ics")
    first, second = read("dtend_and_duration_weekly.ics")
    assert (single.start, single.end) == (first.start, first.end) == (datetime(2026, 3, 10, 9), datetime(2026, 3, 10, 10))
    assert second.end - second.start == first.end - first.start
