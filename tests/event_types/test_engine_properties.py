"""Rules that must hold for every event type: random hours, overrides, time off, buffers, steps, limits, busy time.

Each scenario is checked against slow, obvious re-statements of the rules (pure engine, no app).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.calendars.availability import BusyIndex, Rules, free_slots, local_day_window

UTC = timezone.utc
ZONES = [ZoneInfo(z) for z in ("Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe")]
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
DAYS = 9  # more than a week, so weekly limits meet two weeks
# the days of 2026 on which these zones change their clocks (and a day either side)
DST_DAYS = [date(2026, 3, 8), date(2026, 3, 29), date(2026, 4, 5), date(2026, 10, 4), date(2026, 10, 25),
            date(2026, 11, 1)]


def _disjoint(pairs: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for start, length in sorted(pairs):
        end = min(start + length, 1440)
        if out and start < out[-1][1]:
            continue
        out.append((start, end))
    return tuple(out)


ranges = st.lists(st.tuples(st.integers(0, 1439), st.integers(1, 600)), max_size=3).map(_disjoint)


@st.composite
def scenario(draw):
    tz = draw(st.sampled_from(ZONES))
    day = draw(st.one_of(st.dates(date(2026, 1, 1), date(2026, 12, 20)),
                         st.sampled_from(DST_DAYS).map(lambda d: d - timedelta(days=2))))
    hours = {d: draw(ranges) for d in range(7)}
    overrides = {}
    for offset in draw(st.lists(st.integers(-1, DAYS), max_size=4, unique=True)):
        overrides[day + timedelta(days=offset)] = draw(ranges)  # () = closed
    time_off = draw(st.none() | st.tuples(st.integers(-1, DAYS), st.integers(0, 4)))
    if time_off:
        for k in range(time_off[1] + 1):
            overrides[day + timedelta(days=time_off[0] + k)] = ()
    duration = draw(st.sampled_from([15, 20, 30, 45, 60, 90]))
    step = draw(st.sampled_from([15, 30, 60, duration]))
    rules = Rules(working_hours=hours, slot_minutes=duration, step_minutes=step,
                  buffer_before_minutes=draw(st.sampled_from([0, 5, 10, 30])),
                  buffer_after_minutes=draw(st.sampled_from([0, 5, 15])),
                  min_notice_minutes=0, horizon_days=100000,
                  daily_limit=draw(st.none() | st.integers(1, 3)), weekly_limit=draw(st.none() | st.integers(1, 6)),
                  overrides=overrides)
    window = local_day_window(day, tz, days=DAYS)
    busy = []
    for offset, length in draw(st.lists(st.tuples(st.integers(-600, DAYS * 1440 + 600), st.integers(1, 600)),
                                        max_size=25)):
        start = window[0] + timedelta(minutes=offset)
        busy.append((start, start + timedelta(minutes=length)))
    booked = [window[0] + timedelta(minutes=m) for m in draw(
        st.lists(st.integers(-3 * 1440, (DAYS + 3) * 1440), max_size=8))]
    return tz, rules, window, busy, booked


def local_ranges(rules: Rules, tz: ZoneInfo, day: date) -> list[tuple[datetime, datetime]]:
    """The day's working ranges as aware UTC instants, the override (or time off) replacing the weekday."""
    minutes = rules.overrides[day] if day in rules.overrides else rules.working_hours.get(day.weekday(), ())
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    return [((midnight + timedelta(minutes=a)).astimezone(UTC), (midnight + timedelta(minutes=b)).astimezone(UTC))
            for a, b in minutes]


def full(rules: Rules, booked: list[datetime], tz: ZoneInfo) -> tuple[set[date], set[date]]:
    days = Counter(b.astimezone(tz).date() for b in booked)
    weeks = Counter(b.astimezone(tz).date() - timedelta(days=b.astimezone(tz).weekday()) for b in booked)
    return ({d for d, n in days.items() if rules.daily_limit and n >= rules.daily_limit},
            {w for w, n in weeks.items() if rules.weekly_limit and n >= rules.weekly_limit})


@settings(max_examples=300, deadline=None)
@given(scenario())
def test_no_offered_slot_breaks_a_rule_of_its_type(case):
    tz, rules, window, busy, booked = case
    duration = timedelta(minutes=rules.slot_minutes)
    before, after = timedelta(minutes=rules.buffer_before_minutes), timedelta(minutes=rules.buffer_after_minutes)
    step = timedelta(minutes=rules.step_minutes)
    slots = free_slots(busy, rules, window, tz, LONG_AGO, booked=booked)
    full_days, full_weeks = full(rules, booked, tz)
    assert slots == sorted(set(slots))  # no instant twice
    for s in slots:
        assert window[0] <= s < window[1]
        assert not any(b0 < s + duration + after and b1 > s - before for b0, b1 in busy)
        day = s.astimezone(tz).date()
        inside = [(w0, w1) for w0, w1 in local_ranges(rules, tz, day) if w0 <= s and s + duration <= w1]
        assert inside, "outside the working ranges, the override or time off of its day"
        assert any((s - w0) % step == timedelta(0) for w0, _ in inside), "off the start-time grid"
        assert day not in full_days
        assert day - timedelta(days=day.weekday()) not in full_weeks


@settings(max_examples=300, deadline=None)
@given(scenario())
def test_every_free_grid_point_is_offered(case):
    """No instant is skipped: each grid start that fits its range and no busy time is offered (DST days too)."""
    tz, rules, window, busy, booked = case
    duration = timedelta(minutes=rules.slot_minutes)
    before, after = timedelta(minutes=rules.buffer_before_minutes), timedelta(minutes=rules.buffer_after_minutes)
    step = timedelta(minutes=rules.step_minutes)
    slots = set(free_slots(BusyIndex(busy), rules, window, tz, LONG_AGO, booked=booked))
    full_days, full_weeks = full(rules, booked, tz)
    day = window[0].astimezone(tz).date()
    while day < window[1].astimezone(tz).date():
        if day not in full_days and day - timedelta(days=day.weekday()) not in full_weeks:
            for w0, w1 in local_ranges(rules, tz, day):
                t = w0
                while t + duration <= w1:
                    free = not any(b0 < t + duration + after and b1 > t - before for b0, b1 in busy)
                    if free and window[0] <= t < window[1]:
                        assert t in slots, (day, t)
                    t += step
        day += timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(scenario(), st.integers(0, 5 * 1440), st.integers(0, 2 * 1440), st.integers(1, 5))
def test_event_type_slots_respect_notice_and_horizon(case, now_offset, notice, horizon):
    tz, rules, window, busy, booked = case
    rules = replace(rules, min_notice_minutes=notice, horizon_days=horizon)
    now = window[0] - timedelta(days=1) + timedelta(minutes=now_offset)
    for s in free_slots(busy, rules, window, tz, now, booked=booked):
        assert now + timedelta(minutes=notice) <= s < now + timedelta(days=horizon)


@settings(max_examples=200, deadline=None)
@given(scenario(), st.integers(0, 9 * 24 * 4 - 1))
def test_the_booking_recheck_of_one_instant_agrees_with_the_listing(case, quarter):
    """The booking re-check asks for a one-second window: it must offer exactly what the listing offered."""
    tz, rules, window, busy, booked = case
    listing = set(free_slots(busy, rules, window, tz, LONG_AGO, booked=booked))
    t = window[0] + timedelta(minutes=15 * quarter)
    single = free_slots(busy, rules, (t, t + timedelta(seconds=1)), tz, LONG_AGO, booked=booked)
    assert (t in single) == (t in listing)
