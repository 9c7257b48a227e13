"""Availability for 30 days with 5,000 busy intervals: prints the median time of `free_slots`.

    python -m benchmarks.availability [--runs N]

Busy time mixes long recurring series (daily stand-ups, weekly meetings, expanded occurrences as
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


def busy_intervals(count: int, start: datetime, days: int, seed: int = 7) -> list[tuple[datetime, datetime]]:
    rnd = random.Random(seed)
    busy: list[tuple[datetime, datetime]] = []
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
    while len(busy) < count:
        s = start + timedelta(minutes=rnd.randrange(0, days * 1440))
        busy.append((s, s + timedelta(minutes=rnd.choice([15, 30, 45, 60, 90, 120]))))
    rnd.shuffle(busy)
    return busy


def measure(runs: int = 50, count: int = 5000, days: int = 30) -> dict[str, float]:
    tz = ZoneInfo("Europe/Berlin")
    window = local_day_window(date(2026, 3, 16), tz, days=days)  # spans the spring change day
    busy = busy_intervals(count, window[0], days)
    rules = Rules(buffer_before_minutes=10, buffer_after_minutes=5, min_notice_minutes=0, horizon_days=100000)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    timings = []
    slots: list[datetime] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        slots = free_slots(busy, rules, window, tz, now)
        timings.append((time.perf_counter() - t0) * 1000)
    empty = statistics.median(_time(lambda: free_slots([], rules, window, tz, now), runs))
    return {"busy": len(busy), "days": days, "slots": len(slots), "runs": runs,
            "median_ms": statistics.median(timings), "p95_ms": sorted(timings)[int(0.95 * (runs - 1))],
            "empty_median_ms": empty}


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
    r = measure(args.runs)
    print("availability (free_slots)")
    print(f"{'case':<38}{'median ms':>10}{'p95 ms':>9}")
    label = f"30 days, {r['busy']} busy intervals"
    print(f"{label:<38}{r['median_ms']:>10.2f}{r['p95_ms']:>9.2f}")
    print(f"{'30 days, no busy intervals':<38}{r['empty_median_ms']:>10.2f}{'':>9}")
    verdict = "ok" if r["median_ms"] < TARGET_MS else "TOO SLOW"
    print(f"{r['slots']} slots offered, {r['runs']} runs; target < {TARGET_MS:.0f} ms median: {verdict}")
    return 0 if r["median_ms"] < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
