"""Availability for 30 days with 5,000 busy intervals: prints the median time of `free_slots`, and of a
10-member team type (each member's free slots from the same engine, then merged).

    python -m benchmarks.availability [--runs N]

Busy intervals are naive UTC datetimes, the form the database hands to the engine
(appointments.busy_intervals); one row measures aware datetimes too. Busy time mixes long recurring series (daily stand-ups, weekly meetings, expanded occurrences as
the sync engine stores them, many outside the window) with one-off events and all-day blocks.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from webapp.calendars.availability import BusyIndex, Rules, free_slots, local_day_window
from webapp.teams.assign import merge_slots, within_limits

UTC = timezone.utc
TARGET_MS = 20.0
TEAM_TARGET_MS = 50.0


def busy_intervals(count: int, start: datetime, days: int, seed: int = 7,
                   spread_days: int | None = None) -> list[tuple[datetime, datetime]]:
    """`count` intervals; one-offs fall in the first `spread_days` (default: the window's `days`)."""
    rnd = random.Random(seed)
    busy: list[tuple[datetime, datetime]] = []
    if count == 0:
        return busy
    # recurring series: 8 daily series over a year around the window (as expanded occurrences)
    series_start = start - timedelta(days=150)
    for n in range(8):
        first = series_start + timedelta(hours=7 + n, minutes=15 * (n % 4))
        for k in range(150):
            occ = first + timedelta(days=2 * k)
            busy.append((occ, occ + timedelta(minutes=30)))
    # all-day blocks
    for d in range(0, days, 7):
        day = start + timedelta(days=d + 5)
        busy.append((day, day + timedelta(days=1)))
    del busy[count:]
    while len(busy) < count:
        s = start + timedelta(minutes=rnd.randrange(0, (spread_days or days) * 1440))
        busy.append((s, s + timedelta(minutes=rnd.choice([15, 30, 45, 60, 90, 120]))))
    rnd.shuffle(busy)
    return busy


def measure(runs: int = 50, count: int = 5000, days: int = 30, spread_days: int | None = None,
            aware: bool = False) -> dict[str, float]:
    tz = ZoneInfo("Europe/Berlin")
    window = local_day_window(date(2026, 3, 16), tz, days=days)  # spans the spring change day
    busy = busy_intervals(count, window[0], days, spread_days=spread_days)
    if not aware:
        busy = [(a.replace(tzinfo=None), b.replace(tzinfo=None)) for a, b in busy]
    rules = Rules(buffer_before_minutes=10, buffer_after_minutes=5, min_notice_minutes=0, horizon_days=100000)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    slots: list[datetime] = []

    def run() -> None:
        nonlocal slots
        slots = free_slots(busy, rules, window, tz, now)

    timings = _time(run, runs)
    return {"busy": len(busy), "days": days, "slots": len(slots), "runs": runs,
            "median_ms": statistics.median(timings), "p95_ms": sorted(timings)[int(0.95 * (runs - 1))]}


def event_type_rules(window_start: datetime, tz: ZoneInfo) -> list[tuple[Rules, list[datetime]]]:
    """Five event types as a user might offer them: lengths 15–90 minutes, grids, buffers and limits, over
    working hours with date overrides (a closed day, a short day, a long day) and a week of time off;
    each with its live bookings (for the limits)."""
    first = window_start.astimezone(tz).date()
    overrides = {first + timedelta(days=2): (), first + timedelta(days=9): ((600, 780),),
                 first + timedelta(days=16): ((420, 1260),)}
    for d in range(21, 28):  # a holiday week
        overrides[first + timedelta(days=d)] = ()
    shapes = [(15, 15, 0, 5, None, None), (30, 30, 10, 5, 6, None), (45, 15, 5, 10, None, 12),
              (60, 60, 0, 15, 3, 10), (90, 30, 15, 15, 2, 5)]
    rnd = random.Random(11)
    out = []
    for duration, step, before, after, daily, weekly in shapes:
        rules = Rules(slot_minutes=duration, step_minutes=step, buffer_before_minutes=before,
                      buffer_after_minutes=after, min_notice_minutes=0, horizon_days=100000,
                      daily_limit=daily, weekly_limit=weekly, overrides=overrides)
        booked = [(window_start + timedelta(minutes=rnd.randrange(0, 30 * 1440))).replace(tzinfo=None)
                  for _ in range(40)]
        out.append((rules, booked))
    return out


def measure_event_types(runs: int = 50, count: int = 5000, days: int = 30,
                        spread_days: int | None = None) -> dict[str, float]:
    """All five event types of one user over the same busy time: the busy intervals are sorted once."""
    tz = ZoneInfo("Europe/Berlin")
    window = local_day_window(date(2026, 3, 16), tz, days=days)
    busy = [(a.replace(tzinfo=None), b.replace(tzinfo=None))
            for a, b in busy_intervals(count, window[0], days, spread_days=spread_days)]
    kinds = event_type_rules(window[0], tz)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    slots = 0

    def run() -> None:
        nonlocal slots
        index = BusyIndex(busy)
        slots = sum(len(free_slots(index, rules, window, tz, now, booked=booked)) for rules, booked in kinds)

    timings = _time(run, runs)
    return {"busy": len(busy), "days": days, "slots": slots, "runs": runs,
            "median_ms": statistics.median(timings), "p95_ms": sorted(timings)[int(0.95 * (runs - 1))]}


def measure_team(runs: int = 50, members: int = 10, count: int = 5000, days: int = 30,
                 kind: str = "round_robin", spread_days: int | None = None) -> dict[str, float]:
    """A team type over `members` members, each with `count` busy intervals of their own (naive UTC, as the
    database hands them over) and their own working hours; a 30-minute type on a 30-minute grid with
    buffers and a daily limit; the members' slots merged (union or intersection), the limit applied once."""
    tz = ZoneInfo("Europe/Berlin")
    window = local_day_window(date(2026, 3, 16), tz, days=days)
    rnd = random.Random(5)
    people = []
    for n in range(members):
        busy = [(a.replace(tzinfo=None), b.replace(tzinfo=None))
                for a, b in busy_intervals(count, window[0], days, seed=100 + n, spread_days=spread_days)]
        start = 420 + 60 * (n % 3)  # 07:00, 08:00 or 09:00 to eight hours later
        hours = {d: ((start, start + 480),) for d in range(5)}
        people.append((busy, Rules(working_hours=hours, slot_minutes=30, step_minutes=30, buffer_before_minutes=10,
                                   buffer_after_minutes=5, min_notice_minutes=0, horizon_days=100000)))
    booked = [(window[0] + timedelta(minutes=rnd.randrange(0, days * 1440))).replace(tzinfo=None) for _ in range(40)]
    now = datetime(2026, 3, 1, tzinfo=UTC)
    slots: list[datetime] = []

    def run() -> None:
        nonlocal slots
        merged = merge_slots(kind, (free_slots(busy, rules, window, tz, now) for busy, rules in people))
        slots = within_limits(merged, 6, None, booked, tz)

    timings = _time(run, runs)
    return {"busy": count * members, "days": days, "slots": len(slots), "runs": runs,
            "median_ms": statistics.median(timings), "p95_ms": sorted(timings)[int(0.95 * (runs - 1))]}


def _time(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args(argv)
    cases = [
        ("30 days, 5000 busy in the window", measure(args.runs)),
        ("30 days, 5000 busy over 180 days", measure(args.runs, spread_days=180)),
        ("as the first, aware datetimes", measure(args.runs, aware=True)),
        ("30 days, no busy intervals", measure(args.runs, count=0)),
        ("5 event types, 5000 busy in window", measure_event_types(args.runs)),
        ("5 event types, 5000 over 180 days", measure_event_types(args.runs, spread_days=180)),
    ]
    team_cases = [
        ("team round-robin, 10 x 5000 busy", measure_team(args.runs)),
        ("team round-robin, 10 x 5000 / 180 d", measure_team(args.runs, spread_days=180)),
        ("team collective, 10 x 5000 busy", measure_team(args.runs, kind="collective")),
        ("team collective, 10 x 5000 / 180 d", measure_team(args.runs, kind="collective", spread_days=180)),
    ]
    print("availability: free_slots, Europe/Berlin, buffers 10/5 min, window over the spring DST change;")
    print("event types: all five of one user in one run (15–90 min, grids, buffers, daily/weekly limits,")
    print("3 date overrides and a week of time off), slots summed over the five")
    print(f"{'case':<36}{'median ms':>10}{'p95 ms':>9}{'slots':>7}")
    for label, r in cases:
        print(f"{label:<36}{r['median_ms']:>10.2f}{r['p95_ms']:>9.2f}{r['slots']:>7}")
    print("team types: 10 members (working hours 07-15, 08-16 or 09-17), each with 5,000 busy intervals of their")
    print("own (in the window, or spread over 180 days); 30-minute type on a 30-minute grid, buffers 10/5, a")
    print("daily limit; members' slots merged (a collective merge stops once nothing is common)")
    for label, r in team_cases:
        print(f"{label:<36}{r['median_ms']:>10.2f}{r['p95_ms']:>9.2f}{r['slots']:>7}")
    worst = max(r["median_ms"] for label, r in cases if "aware" not in label)  # the database's path
    team_worst = max(r["median_ms"] for _, r in team_cases)
    print(f"target: median under {TARGET_MS:.0f} ms with 5,000 busy intervals: {'ok' if worst < TARGET_MS else 'TOO SLOW'}")
    print(f"target: a 10-member team type under {TEAM_TARGET_MS:.0f} ms: "
          f"{'ok' if team_worst < TEAM_TARGET_MS else 'TOO SLOW'}")
    return 0 if worst < TARGET_MS and team_worst < TEAM_TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
