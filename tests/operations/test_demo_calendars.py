"""The demo's seeded calendars hold the cases the issue names."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import recurring_ical_events
from icalendar import Calendar

from webapp.demo.calendars import ZONE, demo_apple_ids, ics, next_dst_change


def test_next_dst_change_in_berlin():
    assert next_dst_change(date(2026, 10, 1)) == date(2026, 10, 25)
    assert next_dst_change(date(2026, 11, 1)) == date(2027, 3, 28)


def test_the_weekly_series_keeps_its_local_time_across_the_dst_change():
    today = date(2026, 10, 14)
    main, _ = demo_apple_ids(today)
    series = next(e for cal in main.calendars for e in cal.events if e.rrule)
    occurrences = recurring_ical_events.of(Calendar.from_ical(ics(series))).between(
        datetime(2026, 10, 1), datetime(2026, 12, 1))
    starts = [o["DTSTART"].dt.astimezone(ZONE) for o in occurrences]
    assert {s.hour for s in starts} == {10}
    assert {s.utcoffset() for s in starts} == {timedelta(hours=2), timedelta(hours=1)}


def test_the_demo_has_all_day_cancelled_free_and_foreign_zone_events():
    main, second = demo_apple_ids(date(2026, 10, 14))
    events = [e for cal in main.calendars for e in cal.events]
    assert any(isinstance(e.start, date) and not isinstance(e.start, datetime) for e in events)
    assert any(e.status == "CANCELLED" for e in events)
    assert any(e.transparent for e in events)
    assert any(isinstance(e.start, datetime) and e.start.tzinfo.key == "America/New_York" for e in events)
    assert second.password.count("-") == 3 and len(second.password) == 19
