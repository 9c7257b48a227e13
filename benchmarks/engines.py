"""SQLite and PostgreSQL side by side: the first import and the unchanged re-sync of the 1,000-event calendar,
and from them how many accounts one sync worker keeps in sync at SYNC_INTERVAL_SECONDS=60.

`python -m benchmarks.engines` (also part of `make bench`). PostgreSQL is TEST_DATABASE_URL's server
(`make bench` starts a throwaway cluster, tests/postgres/cluster.py), else a cluster started here.
"""
from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

from benchmarks import data
from benchmarks.__main__ import RUNS, BenchServer, Figure, measure

INTERVAL_SECONDS = 60
CALENDARS_PER_ACCOUNT = 2  # a Primary Calendar and one calendar checked for conflicts
ICLOUD_ROUND_TRIP_SECONDS = 0.25  # assumed, not measured here: one sync-collection REPORT to iCloud


def _postgres_url(work: Path) -> tuple[str, object]:
    from tests.postgres.cluster import Cluster
    from tests.postgres.server import PostgresServer

    cluster = None
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        cluster = Cluster()
        url = cluster.start()
    server = PostgresServer(url)
    return server.empty_database(), (server, cluster)


def measure_engines() -> dict[str, tuple[Figure, Figure]]:
    from benchmarks.slotwise_side import SlotwiseSide
    from webapp.db import database

    figures = {}
    with tempfile.TemporaryDirectory(prefix="slotwise-engines-") as tmp:
        work = Path(tmp)
        server = BenchServer(work)
        pg_url, (pg_server, cluster) = _postgres_url(work)
        try:
            server.seed(data.generate(date.today()))
            for engine, url in (("SQLite", None), ("PostgreSQL", pg_url)):
                side = SlotwiseSide(work / engine, server, database_url=url)
                first = measure(server, side.sync, before=side.forget)
                side.sync()
                unchanged = measure(server, side.sync)
                figures[engine] = (first, unchanged)
                database.close()
        finally:
            server.stop()
            pg_server.drop(pg_url)
            pg_server.close()
            if cluster is not None:
                cluster.stop()
    return figures


def report(figures: dict[str, tuple[Figure, Figure]]) -> None:
    print(f"SQLite and PostgreSQL, the same 1,000-event calendar on Radicale (loopback), median of {RUNS} runs")
    print()
    print("| database | first import | requests | client | re-sync, no change | requests | client | "
          "syncs per minute (one worker, measured) | accounts per sync worker at 60 s (estimated) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for engine, (first, unchanged) in figures.items():
        per_minute = INTERVAL_SECONDS / unchanged.seconds
        # one calendar's unchanged sync from afar: Slotwise's own time plus an iCloud round trip and answer
        per_calendar = unchanged.client_seconds + ICLOUD_ROUND_TRIP_SECONDS
        accounts = INTERVAL_SECONDS / (per_calendar * CALENDARS_PER_ACCOUNT)
        print(f"| {engine} | {first.seconds * 1000:.0f} ms | {first.requests} | {first.client_seconds * 1000:.0f} ms | "
              f"{unchanged.seconds * 1000:.0f} ms | {unchanged.requests} | {unchanged.client_seconds * 1000:.0f} ms | "
              f"{per_minute:,.0f} | {accounts:,.0f} |")
    print()
    print(f"Syncs per minute: {INTERVAL_SECONDS} s over one unchanged re-sync here (server on loopback). Accounts per "
          f"worker: {INTERVAL_SECONDS} s over {CALENDARS_PER_ACCOUNT} calendars × (client time + an assumed "
          f"{ICLOUD_ROUND_TRIP_SECONDS * 1000:.0f} ms iCloud round trip and answer); one worker syncs one account "
          "after another.")


def main() -> None:
    report(measure_engines())


if __name__ == "__main__":
    main()
