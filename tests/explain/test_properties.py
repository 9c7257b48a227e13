"""explain() says "offered" exactly when the availability engine offers the slot (pure, no app).

Random working hours, date overrides and time off, grids, buffers, notice, horizon, limits, and Blocked
Slots with every rule on or off; the instant asked about is drawn near the working ranges and the busy
edges, where the two could disagree.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.calendars.availability import Rules, free_slots
from webapp.calendars.explain import Thing, explain
from webapp.calendars.rules import CalendarRules, blocking

UTC = timezone.utc
ZONES = [ZoneInfo(z) for z in ("Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe")]


def _disjoint(pairs):
    out = []
    for start, length in sorted(pairs):
        end = min(start + length, 1440)
        if out and start < out[-1][1]:
            continue
        out.append((start, end))
    return tuple(out)


ranges = st.lists(st.tuples(st.integers(0, 1439), st.integers(1, 600)), max_size=3).map(_disjoint)
calendar_rules = st.builds(CalendarRules, st.booleans(), st.booleans(), st.booleans())


@st.composite
def scenario(draw):
    tz = draw(st.sampled_from(ZONES))
    day = draw(st.one_of(st.dates(date(2026, 1, 1), date(2026, 12, 20)),
                         st.sampled_from([date(2026, 3, 29), date(2026, 10, 25), date(2026, 3, 8), date(2026, 4, 5)])))
    hours = {d: draw(st.sampled_from([((0, 1440),), ((540, 1020),)]) | ranges) for d in range(7)}
    overrides = {day + timedelta(days=k): draw(ranges) for k in draw(st.lists(st.integers(-1, 2), max_size=2))}
    duration = draw(st.sampled_from([15, 20, 30, 45, 60]))
    rules = Rules(working_hours=hours, slot_minutes=duration, step_minutes=draw(st.sampled_from([15, 30, 60, duration])),
                  buffer_before_minutes=draw(st.sampled_from([0, 5, 30])),
                  buffer_after_minutes=draw(st.sampled_from([0, 10])),
                  min_notice_minutes=draw(st.sampled_from([0, 0, 60, 240, 1440])),
                  horizon_days=draw(st.sampled_from([1, 2, 60, 60])),
                  daily_limit=draw(st.none() | st.integers(1, 2)), weekly_limit=draw(st.none() | st.integers(1, 3)),
                  overrides=overrides)
    midnight = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC).replace(tzinfo=None)
    things = []
    for i in range(draw(st.integers(0, 6))):
        start = midnight + timedelta(minutes=draw(st.integers(-600, 2000)))
        length = timedelta(minutes=draw(st.integers(1, 300)))
        things.append(Thing("blocked_slot", i, f"Busy {i}", start, start + length,
                            all_day=draw(st.booleans()), travel_minutes=draw(st.sampled_from([0, 0, 15, 45])),
                            tentative=draw(st.booleans()), calendar="Work", rules=draw(calendar_rules)))
    booked = [midnight + timedelta(minutes=draw(st.integers(-3000, 5000))) for _ in range(draw(st.integers(0, 4)))]
    now = (midnight + timedelta(minutes=draw(st.integers(-3000, 1500)))).replace(tzinfo=UTC)
    # the instant: half the time one the engine offers that day, or 5 minutes off one (when there are
    # any); else on a 5-minute grid near the day, so it meets range starts, grid points and busy edges
    t = (midnight + timedelta(minutes=5 * draw(st.integers(-12, 12 * 36)))).replace(tzinfo=UTC)
    offered = free_slots(_busy(things), rules, (midnight.replace(tzinfo=UTC), t + timedelta(days=1)), tz, now,
                         booked=booked)
    if offered and draw(st.booleans()):
        t = draw(st.sampled_from(offered)) + timedelta(minutes=draw(st.sampled_from([0, 0, 0, -5, 5])))
    return tz, rules, things, booked, now, t


def _busy(things):
    busy = []
    for th in things:
        block = blocking(th.start, th.end, th.all_day, th.travel_minutes, th.tentative, th.rules)
        if block.start is not None:
            busy.append((block.start, block.end))
    return busy


@settings(max_examples=400, deadline=None)
@given(scenario())
def test_explain_says_offered_exactly_when_the_engine_offers_the_slot(case):
    tz, rules, things, booked, now, t = case
    engine = t in free_slots(_busy(things), rules, (t, t + timedelta(seconds=1)), tz, now, booked=booked)
    found = explain(t, rules, tz, now, things, booked)
    assert found.offered == engine, [r.text for r in found.reasons]
    assert found.offered == (not any(r.prevents for r in found.reasons))
    assert all(r.text for r in found.reasons)
