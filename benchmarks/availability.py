"""Availability for 30 days with 5,000 busy intervals: prints the median time of `free_slots`.

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

from webapp.calendars.availability import Rules, free_slots, local_day_window

UTC = timezone.utc
TARGET_MS = 20.0


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
    ]
    print("availability: free_slots, Europe/Berlin, buffers 10/5 min, window over the spring DST change")
    print(f"{'case':<36}{'median ms':>10}{'p95 ms':>9}{'slots':>7}")
    for label, r in cases:
        print(f"{label:<36}{r['median_ms']:>10.2f}{r['p95_ms']:>9.2f}{r['slots']:>7}")
    worst = max(r["median_ms"] for label, r in cases if "aware" not in label)  # the database's path
    print(f"target: median under {TARGET_MS:.0f} ms with 5,000 busy intervals: {'ok' if worst < TARGET_MS else 'TOO SLOW'}")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
