"""Rules that must hold for every input: no offered slot overlaps busy time; free time is offered."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.calendars.availability import Rules, free_slots, local_day_window, working_intervals

UTC = timezone.utc
ZONES = [ZoneInfo(z) for z in ("Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe")]
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
DAYS = 3

ranges = st.lists(st.tuples(st.integers(0, 1439), st.integers(1, 300)), max_size=3).map(
    lambda pairs: _disjoint(pairs))


def _disjoint(pairs: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for start, length in sorted(pairs):
        end = min(start + length, 1440)
        if out and start < out[-1][1]:
            continue
        out.append((start, end))
    return tuple(out)


@st.composite
def scenario(draw):
    tz = draw(st.sampled_from(ZONES))
    day = draw(st.dates(date(2026, 1, 1), date(2026, 12, 28)))
    hours = {d: draw(ranges) for d in range(7)}
    rules = Rules(working_hours=hours, slot_minutes=draw(st.sampled_from([15, 20, 30, 45, 60])),
                  buffer_before_minutes=draw(st.sampled_from([0, 5, 10, 30])),
                  buffer_after_minutes=draw(st.sampled_from([0, 5, 15])),
                  min_notice_minutes=0, horizon_days=100000)
    window = local_day_window(day, tz, days=DAYS)
    busy = []
    for offset, length in draw(st.lists(st.tuples(st.integers(-600, DAYS * 1440 + 600), st.integers(1, 600)),
                                        max_size=25)):
        start = window[0] + timedelta(minutes=offset)
        busy.append((start, start + timedelta(minutes=length)))
    return tz, rules, window, busy


@settings(max_examples=300, deadline=None)
@given(scenario())
def test_no_offered_slot_overlaps_busy_time_with_its_buffers(case):
    tz, rules, window, busy = case
    duration = timedelta(minutes=rules.slot_minutes)
    before = timedelta(minutes=rules.buffer_before_minutes)
    after = timedelta(minutes=rules.buffer_after_minutes)
    slots = free_slots(busy, rules, window, tz, LONG_AGO)
    assert len(set(slots)) == len(slots)
    work = [(a.replace(tzinfo=UTC), b.replace(tzinfo=UTC))
            for a, b in working_intervals(rules.working_hours, tz, *window)]
    for s in slots:
        assert window[0] <= s < window[1]
        assert not any(b0 < s + duration + after and b1 > s - before for b0, b1 in busy)
        assert any(w0 <= s and s + duration <= w1 for w0, w1 in work)  # inside working hours


@settings(max_examples=300, deadline=None)
@given(scenario())
def test_every_free_working_stretch_long_enough_offers_a_slot(case):
    tz, rules, window, busy = case
    duration = timedelta(minutes=rules.slot_minutes)
    before = timedelta(minutes=rules.buffer_before_minutes)
    after = timedelta(minutes=rules.buffer_after_minutes)
    slots = free_slots(busy, rules, window, tz, LONG_AGO)
    work = [(a.replace(tzinfo=UTC), b.replace(tzinfo=UTC))
            for a, b in working_intervals(rules.working_hours, tz, *window)]
    widened = sorted((b0 - after, b1 + before) for b0, b1 in busy)
    for w0, w1 in work:
        # the free stretches of this working interval, computed the slow obvious way
        cursor = w0
        stretches = []
        for b0, b1 in widened:
            if b1 <= cursor or b0 >= w1:
                continue
            if b0 > cursor:
                stretches.append((cursor, b0))
            cursor = max(cursor, b1)
        if cursor < w1:
            stretches.append((cursor, w1))
        for f0, f1 in stretches:
            if f1 - f0 >= duration and window[0] <= f0 < window[1]:
                assert any(f0 <= s and s + duration <= f1 for s in slots), (f0, f1)


@settings(max_examples=200, deadline=None)
@given(scenario(), st.integers(0, 5 * 1440), st.integers(0, 2 * 1440), st.integers(1, 5))
def test_slots_respect_minimum_notice_and_horizon(case, now_offset, notice, horizon):
    from dataclasses import replace

    tz, rules, window, busy = case
    rules = replace(rules, min_notice_minutes=notice, horizon_days=horizon)
    now = window[0] - timedelta(days=1) + timedelta(minutes=now_offset)
    for s in free_slots(busy, rules, window, tz, now):
        assert s >= now + timedelta(minutes=notice)
        assert s < now + timedelta(days=horizon)
