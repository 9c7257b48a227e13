"""The check before a booking (webapp.sync.jit) on the bench server: `python -m benchmarks.jit_check`
(also part of `make bench`).

One owner with a 1,000-event Primary Calendar on Radicale in its own process, synced once. A booking by
the owner (until its event is written to the server, as in the push benchmark) is timed with the check
(JIT_CHECK_BUDGET_MS=1500) and without it (0), alternating, and the check alone on the unchanged account;
requests are the server's own count. Figures are medians.
"""
from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks import data

RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def _timed(server, action) -> tuple[float, int, float]:
    """Seconds, requests, and the seconds the server spent answering them."""
    server.reset_count()
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    requests, served = server.count()
    return elapsed, requests, served


def measure(runs: int = RUNS) -> dict[str, tuple[float, int, float]]:
    """Median (seconds, requests, server seconds) of a booking without the check, with it, and of the check alone."""
    from benchmarks.__main__ import BenchServer
    from benchmarks.slotwise_side import SlotwiseSide
    from webapp.sync.jit import check_before_booking

    with tempfile.TemporaryDirectory(prefix="slotwise-bench-jit-") as tmp:
        work = Path(tmp)
        server = BenchServer(work)
        try:
            server.seed(data.generate(date.today()))
            side = SlotwiseSide(work / "slotwise", server)
            side.sync()

            def check_alone() -> None:
                with side.app.app_context():
                    check = check_before_booking([side.user])
                if check.late or any(run.error for run in check.runs):
                    raise RuntimeError("the check did not finish cleanly within its budget")

            figures: dict[str, list[tuple[float, int, float]]] = {"without": [], "with": [], "check": []}
            for _ in range(runs):
                side.app.config["JIT_CHECK_BUDGET_MS"] = 0
                figures["without"].append(_timed(server, side.push_one_booking))
                side.app.config["JIT_CHECK_BUDGET_MS"] = 1500
                figures["with"].append(_timed(server, side.push_one_booking))
                figures["check"].append(_timed(server, check_alone))
        finally:
            server.stop()
    return {name: (statistics.median(row[0] for row in rows), int(statistics.median(row[1] for row in rows)),
                   statistics.median(row[2] for row in rows))
            for name, rows in figures.items()}


def main() -> None:
    figures = measure()
    print()
    print(f"Check before a booking, 1,000-event Primary Calendar, Radicale in a separate process, "
          f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, median of {RUNS} runs")
    print()
    print("| operation | time | requests | server | client |")
    print("| --- | ---: | ---: | ---: | ---: |")
    names = {"without": "booking without the check (until written to the server)",
             "with": "booking with the check (until written to the server)",
             "check": "the check alone, unchanged calendar"}
    for key, name in names.items():
        seconds, requests, served = figures[key]
        print(f"| {name} | {seconds * 1000:.0f} ms | {requests} | {served * 1000:.0f} ms | "
              f"{(seconds - served) * 1000:.0f} ms |")
    added = [(figures["with"][i] - figures["without"][i]) * 1000 for i in (0, 2)]
    print(f"| added by the check | {added[0]:.0f} ms | {figures['with'][1] - figures['without'][1]} | "
          f"{added[1]:.0f} ms | {added[0] - added[1]:.0f} ms |")


if __name__ == "__main__":
    main()
