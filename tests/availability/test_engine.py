"""The availability engine as pure code: fixed clocks, fixed zones, no app."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from webapp.calendars.availability import (
    Rules,
    RulesError,
    free_slots,
    local_day_window,
    parse_working_hours,
)

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
ALL_WEEK = {d: ((540, 1020),) for d in range(7)}


def rules(**kw) -> Rules:
    kw.setdefault("min_notice_minutes", 0)
    kw.setdefault("horizon_days", 100000)
    kw.setdefault("working_hours", ALL_WEEK)
    return Rules(**kw)


def local(tz: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=tz, fold=fold)


def labels(slots: list[datetime], tz: ZoneInfo) -> list[str]:
    return [s.astimezone(tz).strftime("%H:%M%z") for s in slots]


def day_slots(day: date, tz: ZoneInfo, busy=(), now=LONG_AGO, **kw) -> list[datetime]:
    return free_slots(list(busy), rules(**kw), local_day_window(day, tz), tz, now)


def test_default_rules_offer_monday_to_friday_nine_to_five():
    monday = date(2026, 6, 1)
    tz = BERLIN
    slots = free_slots([], Rules(), local_day_window(monday, tz, days=7), tz, datetime(2026, 5, 30, tzinfo=UTC))
    assert len(slots) == 5 * 16
    assert labels(slots, tz)[0] == "09:00+0200"
    assert labels(slots, tz)[15] == "16:30+0200"
    assert {s.astimezone(tz).weekday() for s in slots} == {0, 1, 2, 3, 4}


def test_slots_are_utc_instants_in_the_owner_zone():
    slots = day_slots(date(2026, 1, 15), NEW_YORK)
    assert slots[0] == datetime(2026, 1, 15, 14, 0, tzinfo=UTC)  # 09:00 EST
    assert all(s.tzinfo is not None and s.utcoffset() == timedelta(0) for s in slots)


def test_busy_time_removes_overlapping_slots_and_following_slots_start_after_it():
    day = date(2026, 6, 2)
    busy = [(local(BERLIN, 2026, 6, 2, 10, 0), local(BERLIN, 2026, 6, 2, 10, 45))]
    got = labels(day_slots(day, BERLIN, busy), BERLIN)
    assert "09:30+0200" in got and "10:00+0200" not in got and "10:30+0200" not in got
    assert "10:45+0200" in got and "11:15+0200" in got
    assert got[-1] == "16:15+0200"  # 16:45 would end after 17:00


def test_naive_busy_datetimes_are_utc():
    day = date(2026, 6, 2)
    busy = [(datetime(2026, 6, 2, 7, 0), datetime(2026, 6, 2, 8, 0))]  # 09:00–10:00 Berlin
    got = labels(day_slots(day, BERLIN, busy), BERLIN)
    assert got[0] == "10:00+0200"


def test_buffers_keep_distance_before_and_after_busy_time():
    day = date(2026, 6, 2)
    busy = [(local(BERLIN, 2026, 6, 2, 12, 0), local(BERLIN, 2026, 6, 2, 13, 0))]
    got = labels(day_slots(day, BERLIN, busy, buffer_before_minutes=15, buffer_after_minutes=30), BERLIN)
    # a slot needs 15 min free before it and 30 min after it
    assert "11:00+0200" in got and "11:30+0200" not in got  # 11:30–12:00 + 30 min after hits 12:00
    assert "13:00+0200" not in got and "13:15+0200" in got


def test_an_all_day_block_removes_the_whole_day():
    day = date(2026, 6, 2)
    busy = [(local(BERLIN, 2026, 6, 2, 0, 0).astimezone(UTC), local(BERLIN, 2026, 6, 3, 0, 0).astimezone(UTC))]
    assert day_slots(day, BERLIN, busy) == []
    assert len(day_slots(date(2026, 6, 3), BERLIN, busy)) == 16


def test_minimum_notice_hides_slots_too_soon():
    day = date(2026, 6, 2)
    now = local(BERLIN, 2026, 6, 2, 8, 0)
    got = labels(day_slots(day, BERLIN, now=now, min_notice_minutes=240), BERLIN)
    assert got[0] == "12:00+0200"


def test_horizon_hides_slots_too_far_ahead():
    now = local(BERLIN, 2026, 6, 1, 8, 0)
    window = local_day_window(date(2026, 6, 1), BERLIN, days=30)
    slots = free_slots([], rules(horizon_days=3), window, BERLIN, now)
    assert max(slots) < now + timedelta(days=3)
    # 8:00 + 3 days: Thursday's 09:00 is past the horizon, Monday–Wednesday are offered
    assert {s.astimezone(BERLIN).date() for s in slots} == {date(2026, 6, d) for d in (1, 2, 3)}


def test_duration_longer_than_slot_length_steps_by_slot_length():
    day = date(2026, 6, 2)
    got = labels(free_slots([], rules(), local_day_window(day, BERLIN), BERLIN, LONG_AGO, 60), BERLIN)
    assert got[:3] == ["09:00+0200", "09:30+0200", "10:00+0200"]
    assert got[-1] == "16:00+0200"


def test_several_ranges_a_day():
    day = date(2026, 6, 2)
    hours = {1: ((540, 720), (780, 1020))}
    got = labels(day_slots(day, BERLIN, working_hours=hours), BERLIN)
    assert "11:30+0200" in got and "12:00+0200" not in got and "12:30+0200" not in got and "13:00+0200" in got


# --- DST change days --------------------------------------------------------------------------

NIGHT = {d: ((0, 360),) for d in range(7)}  # 00:00–06:00 so the change hour sits inside working time


@pytest.mark.parametrize("tz, day, real_hours", [
    (BERLIN, date(2026, 3, 29), 5),       # spring: 02:00–03:00 does not exist
    (BERLIN, date(2026, 10, 25), 7),      # autumn: 02:00–03:00 happens twice
    (NEW_YORK, date(2026, 3, 8), 5),
    (NEW_YORK, date(2026, 11, 1), 7),
])
def test_change_day_offers_every_real_half_hour_exactly_once(tz, day, real_hours):
    slots = day_slots(day, tz, working_hours=NIGHT)
    assert len(slots) == real_hours * 2
    assert len(set(slots)) == len(slots)  # never the same instant twice
    gaps = {b - a for a, b in zip(slots, slots[1:])}
    assert gaps == {timedelta(minutes=30)}  # nothing skipped


def test_spring_change_in_berlin_never_offers_a_nonexistent_time():
    got = labels(day_slots(date(2026, 3, 29), BERLIN, working_hours=NIGHT), BERLIN)
    assert got == ["00:00+0100", "00:30+0100", "01:00+0100", "01:30+0100",
                   "03:00+0200", "03:30+0200", "04:00+0200", "04:30+0200", "05:00+0200", "05:30+0200"]


def test_autumn_change_in_new_york_offers_both_one_thirties_with_their_offsets():
    got = labels(day_slots(date(2026, 11, 1), NEW_YORK, working_hours=NIGHT), NEW_YORK)
    assert got[:6] == ["00:00-0400", "00:30-0400", "01:00-0400", "01:30-0400", "01:00-0500", "01:30-0500"]


@pytest.mark.parametrize("tz, day", [(BERLIN, date(2026, 3, 29)), (BERLIN, date(2026, 10, 25)),
                                      (NEW_YORK, date(2026, 3, 8)), (NEW_YORK, date(2026, 11, 1))])
def test_office_hours_on_a_change_day_are_nine_to_five_local(tz, day):
    hours = {day.weekday(): ((540, 1020),)}
    got = labels(day_slots(day, tz, working_hours=hours), tz)
    assert len(got) == 16
    assert got[0].startswith("09:00") and got[-1].startswith("16:30")


def test_a_range_starting_inside_the_spring_gap_starts_after_the_gap():
    hours = {6: ((150, 300),)}  # Sunday 02:30–05:00 local
    got = labels(day_slots(date(2026, 3, 29), BERLIN, working_hours=hours), BERLIN)
    assert got[0] == "03:30+0200" and got[-1] == "04:30+0200"


def test_a_slot_never_spans_two_working_ranges_even_across_midnight():
    hours = {1: ((1320, 1440),), 2: ((0, 120),)}
    tuesday = day_slots(date(2026, 6, 2), BERLIN, working_hours=hours, slot_minutes=90)
    assert labels(tuesday, BERLIN) == ["22:00+0200"]  # 23:30–01:00 would cross into Wednesday's range
    assert labels(day_slots(date(2026, 6, 3), BERLIN, working_hours=hours, slot_minutes=90), BERLIN) == ["00:00+0200"]


def test_the_grid_does_not_depend_on_the_window_asked_for():
    day = date(2026, 6, 2)
    busy = [(local(BERLIN, 2026, 6, 2, 9, 0), local(BERLIN, 2026, 6, 2, 9, 10))]
    listing = day_slots(day, BERLIN, busy)
    assert labels(listing, BERLIN)[:2] == ["09:10+0200", "09:40+0200"]
    for slot in listing:
        one = free_slots(busy, rules(), (slot, slot + timedelta(seconds=1)), BERLIN, LONG_AGO)
        assert one == [slot]


# --- settings parsing -------------------------------------------------------------------------

def test_parse_working_hours_accepts_the_stored_form():
    assert parse_working_hours({"0": [["09:00", "12:00"], ["13:00", "17:00"]], "6": []}) == {
        0: ((540, 720), (780, 1020))}
    assert parse_working_hours({"4": [["20:00", "24:00"]]}) == {4: ((1200, 1440),)}


@pytest.mark.parametrize("raw, words", [
    ({"7": [["09:00", "10:00"]]}, "not a weekday"),
    ({"0": [["9am", "10:00"]]}, "not a time of day"),
    ({"0": [["10:00", "09:00"]]}, "ends before it starts"),
    ({"0": [["09:00", "12:00"], ["11:00", "13:00"]]}, "must not overlap"),
    ({"0": [["24:30", "25:00"]]}, "not a time of day"),
])
def test_parse_working_hours_refuses_bad_ranges_in_words(raw, words):
    with pytest.raises(RulesError, match=words):
        parse_working_hours(raw)
