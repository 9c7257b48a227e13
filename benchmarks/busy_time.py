"""Busy time from the database with the per-calendar rules applied: prints the median of `busy_intervals`.

    python -m benchmarks.busy_time [--runs N]

5,000 Blocked Slots of one user (the mix of benchmarks.availability: series, all-day blocks, one-offs;
every tenth with Apple travel time, every twentieth an unanswered invitation) in one mirrored calendar,
in a fresh SQLite database; 30 days asked for, as `slots_for` does. Beside it, the query without the
rules (the calendar join and the travel reach), as busy time was read before the rules.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.availability import busy_intervals as generated
from webapp.calendars.availability import local_day_window


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args(argv)
    from cryptography.fernet import Fernet

    from webapp import create_app
    from webapp.busy import busy_intervals
    from webapp.db import insert_rows
    from webapp.models import BlockedSlot, CalendarAccount, RemoteCalendar, User, utcnow

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SCHEDULER_ENABLED": False,
                          "DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.db'}",
                          "SLOTWISE_ENCRYPTION_KEY": Fernet.generate_key().decode()})
        tz = ZoneInfo("Europe/Berlin")
        window = local_day_window(date(2026, 3, 16), tz, days=30)
        with app.app_context():
            owner = User.create(email="bench@example.com", password_hash="x", booking_slug="bench")
            account = CalendarAccount.create(owner=owner, email="bench@icloud.example")
            cal = RemoteCalendar.create(account=account, url="https://caldav.example/work/", name="Work", role="conflict")
            rows = []
            for n, (a, b) in enumerate(generated(5000, window[0], 30)):
                a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
                rows.append((owner.id, BlockedSlot.ICLOUD, cal.id, a, b, b - a >= timedelta(days=1),
                             30 if n % 10 == 0 else 0, n % 20 == 5, "Busy", utcnow()))
            insert_rows(BlockedSlot, [BlockedSlot.owner, BlockedSlot.source, BlockedSlot.remote_calendar,
                                      BlockedSlot.start_utc, BlockedSlot.end_utc, BlockedSlot.all_day,
                                      BlockedSlot.travel_minutes, BlockedSlot.tentative, BlockedSlot.title,
                                      BlockedSlot.created_at], rows)
            s, e = (w.astimezone(ZoneInfo("UTC")).replace(tzinfo=None) for w in window)

            def plain():
                list(BlockedSlot.select(BlockedSlot.start_utc, BlockedSlot.end_utc).where(
                    BlockedSlot.owner == owner, BlockedSlot.start_utc < e, BlockedSlot.end_utc > s).tuples())

            cases = [("without rules (the query before them)", plain, None)]
            cases.append(("busy_intervals, every rule on", lambda: busy_intervals(owner, s, e), {}))
            cases.append(("busy_intervals, every rule off", lambda: busy_intervals(owner, s, e),
                          {"all_day_events_block": False, "travel_time_blocks": False, "tentative_blocks": False}))
            print("busy time of one user, 30 days, 5,000 Blocked Slots (SQLite), median of", args.runs,
                  "runs, the cases interleaved (a shared machine slows them alike)")
            times: dict[str, list[float]] = {label: [] for label, _, _ in cases}
            counts: dict[str, int] = {}
            for _ in range(args.runs):
                for label, fn, rules in cases:
                    values = {"all_day_events_block": True, "travel_time_blocks": True, "tentative_blocks": True,
                              **(rules or {})}
                    RemoteCalendar.update(**values).where(RemoteCalendar.id == cal.id).execute()
                    t0 = time.perf_counter()
                    fn()
                    times[label].append((time.perf_counter() - t0) * 1000)
                    counts[label] = len(busy_intervals(owner, s, e))
            for label, _, _ in cases:
                print(f"{label:<40}{statistics.median(times[label]):>8.2f} ms   intervals {counts[label]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
