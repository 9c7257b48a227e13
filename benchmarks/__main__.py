"""`make bench`: Slotwise's sync against vdirsyncer on the same Radicale and data, in the same run.

Radicale runs as a separate process (in-process it would share the GIL with what is measured) and
counts the requests it serves. vdirsyncer runs in its own virtual environment and is timed in-process
by benchmarks/peer_vdirsyncer.py, so its interpreter start-up is not counted. Figures are medians.
"""
from __future__ import annotations

import base64
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from benchmarks import data

HERE = Path(__file__).resolve().parent
PEER_PYTHON = HERE / ".venv-vdirsyncer" / "bin" / "python"
APPLE_ID = "bench@icloud.example"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
GROWTH_SIZES = (1000, 4000)


@dataclass
class Figure:
    seconds: float
    requests: int
    server_seconds: float = 0.0  # the server's own time answering those requests

    @property
    def client_seconds(self) -> float:
        return self.seconds - self.server_seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BenchServer:
    """Radicale in its own process, with a request counter at /__requests."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        users = workdir / "users"
        users.write_text(f"{APPLE_ID}:{APP_PASSWORD}\n")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.radicale_server", str(self.port), str(workdir / "store"), str(users)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=HERE.parent,
        )
        assert self.process.stdout is not None and self.process.stdout.readline().strip() == "ready"
        self.url = f"http://127.0.0.1:{self.port}/"
        self.calendar_path = f"/{APPLE_ID}/bench/"
        self.calendar_url = f"http://127.0.0.1:{self.port}{self.calendar_path}"

    def _request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> int:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body or None, method=method)
        token = base64.b64encode(f"{APPLE_ID}:{APP_PASSWORD}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
        req.add_header("X-Rig", "1")
        for key, value in (headers or {}).items():
            req.add_header(key, value)
        with urllib.request.urlopen(req, timeout=300) as resp:
            return resp.status

    def put_ics(self, path: str, ics: str) -> None:
        self._request("PUT", path, ics.replace("\n", "\r\n").encode(), {"Content-Type": "text/calendar"})

    def delete(self, path: str) -> None:
        self._request("DELETE", path)

    def seed(self, resources: list[data.Resource]) -> None:
        self.put_ics(self.calendar_path, data.whole_collection(resources))

    def reset_count(self) -> None:
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{self.port}/__requests", method="POST"))

    def count(self) -> tuple[int, float]:
        """Requests served since the last reset, and the seconds the server spent answering them."""
        requests, seconds = urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__requests").read().split()
        return int(requests), float(seconds)

    def href(self, uid: str) -> str:
        return f"{self.calendar_path}{uid}.ics"  # Radicale names items of a collection PUT after their UID

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class Peer:
    """vdirsyncer, driven in-process in its own virtual environment."""

    def __init__(self, workdir: Path, server: BenchServer):
        self.process = subprocess.Popen(
            [str(PEER_PYTHON), str(HERE / "peer_vdirsyncer.py"), str(workdir), server.calendar_url, APPLE_ID,
             APP_PASSWORD],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        assert self._line() == "READY"

    def _line(self) -> str:
        assert self.process.stdout is not None
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("vdirsyncer driver stopped")
            if line.startswith(("READY", "RESULT")):
                return line.strip()

    def command(self, name: str) -> float:
        assert self.process.stdin is not None
        self.process.stdin.write(name + "\n")
        self.process.stdin.flush()
        return float(self._line().split()[1])

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def measure(server: BenchServer, action: Callable[[], float | None], before: Callable[[], None] | None = None,
            after: Callable[[], None] | None = None, runs: int = RUNS) -> Figure:
    """Median seconds, request count and server time of `runs` runs of `action`."""
    seconds, counts, served = [], [], []
    for _ in range(runs):
        if before:
            before()
        server.reset_count()
        started = time.perf_counter()
        inner = action()
        elapsed = time.perf_counter() - started
        requests, server_seconds = server.count()
        counts.append(requests)
        served.append(server_seconds)
        seconds.append(inner if inner is not None else elapsed)
        if after:
            after()
    return Figure(statistics.median(seconds), int(statistics.median(counts)), statistics.median(served))


def growth(workdir: Path, count: int) -> tuple[Figure, Figure]:
    """Slotwise alone on a calendar of `count` events: first import, then an unchanged re-sync."""
    from benchmarks.slotwise_side import SlotwiseSide

    server = BenchServer(workdir)
    try:
        server.seed(data.generate(date.today(), count=count))
        slotwise = SlotwiseSide(workdir / "slotwise", server)
        first = measure(server, slotwise.sync, before=slotwise.forget)
        slotwise.sync()
        unchanged = measure(server, slotwise.sync)
    finally:
        server.stop()
    return first, unchanged


def main() -> None:
    if not PEER_PYTHON.exists():
        sys.exit("benchmarks/.venv-vdirsyncer is missing: run `make bench`, which creates it.")
    from benchmarks.slotwise_side import SlotwiseSide

    first_day = date.today()
    resources = data.generate(first_day)
    edits, added, deleted = data.ten_changes(resources, first_day)
    originals = {r.uid: r for r in resources}

    with tempfile.TemporaryDirectory(prefix="slotwise-bench-") as tmp:
        work = Path(tmp)
        (work / "peer").mkdir()
        server = BenchServer(work)
        try:
            started = time.perf_counter()
            server.seed(resources)
            seed_seconds = time.perf_counter() - started
            slotwise = SlotwiseSide(work / "slotwise", server)
            peer = Peer(work / "peer", server)

            def apply_changes() -> None:
                for r in edits:
                    server.put_ics(server.href(r.uid), r.ics())
                server.put_ics(server.href(added.uid), added.ics())
                server.delete(server.href(deleted.uid))

            def revert_changes() -> None:
                for r in edits:
                    server.put_ics(server.href(r.uid), originals[r.uid].ics())
                server.delete(server.href(added.uid))
                server.put_ics(server.href(deleted.uid), deleted.ics())
                slotwise.sync()
                peer.command("sync")

            rows = []
            ours = measure(server, slotwise.sync, before=slotwise.forget)
            theirs = measure(server, lambda: peer.command("sync"), before=lambda: peer.command("reset"))
            rows.append(("first import (1,000 events)", ours, theirs))
            slotwise.sync()
            peer.command("sync")
            ours = measure(server, slotwise.sync)
            theirs = measure(server, lambda: peer.command("sync"))
            rows.append(("re-sync, no change", ours, theirs))
            ours = measure(server, slotwise.sync, before=apply_changes, after=revert_changes)
            theirs = measure(server, lambda: peer.command("sync"), before=apply_changes, after=revert_changes)
            rows.append(("re-sync after 10 changes", ours, theirs))
            push = measure(server, slotwise.push_one_booking)
            peer.stop()
        finally:
            server.stop()
        sizes = {}
        for count in GROWTH_SIZES:
            (work / f"growth-{count}").mkdir()
            sizes[count] = growth(work / f"growth-{count}", count)

    from benchmarks.availability import measure as measure_availability

    availability_ms = measure_availability(runs=50)["median_ms"]
    print(f"Slotwise benchmarks, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"Radicale in a separate process, median of {RUNS} runs (seeding: {seed_seconds:.1f} s, 1 PUT)")
    print()
    print("| operation | Slotwise | requests | vdirsyncer 0.21 (in-process) | requests | Slotwise/vdirsyncer |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, ours, theirs in rows:
        print(f"| {name} | {ours.seconds * 1000:.0f} ms | {ours.requests} | {theirs.seconds * 1000:.0f} ms | "
              f"{theirs.requests} | {ours.seconds / theirs.seconds:.2f} |")
    print(f"| push of one booking until the event is on the server | {push.seconds * 1000:.0f} ms | {push.requests} "
          f"| – | – | – |")
    print(f"| availability, 30 days, 5,000 busy intervals | {availability_ms:.2f} ms | 0 | – | – | – |")
    print()
    print("Growth (Slotwise alone, a fresh server per size; client = total minus the server's own answer time)")
    print()
    print("| events | first import | requests | server | client | re-sync, no change | requests | server | client |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for count, (first, unchanged) in sizes.items():
        print(f"| {count:,} | {first.seconds * 1000:.0f} ms | {first.requests} | {first.server_seconds * 1000:.0f} ms | "
              f"{first.client_seconds * 1000:.0f} ms | {unchanged.seconds * 1000:.0f} ms | {unchanged.requests} | "
              f"{unchanged.server_seconds * 1000:.0f} ms | {unchanged.client_seconds * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
    from benchmarks import engines  # SQLite and PostgreSQL side by side (benchmarks/engines.py)
    engines.main()
    from benchmarks import load  # the booking page under load (benchmarks/load.py)
    load.main()
    from benchmarks import jit_check  # the check before a booking (benchmarks/jit_check.py)
    jit_check.main()
