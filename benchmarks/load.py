"""The public booking page under load, on waitress: `python -m benchmarks.load` (also part of `make bench`).

Slotwise runs as `python -m webapp.serve` in its own process (as `make run` starts it) on loopback,
with a fresh database in a temporary folder. 20 visitors (threads, one keep-alive connection each) for
20 s each open the booking page, then loop: fetch a month, fetch the free times of one open day, and
now and then book one of them (bounded: at most LOAD_MAX_BOOKINGS bookings tried in all). A booking
that loses the race for a time answers 409 "just taken", which is correct and not an error. Errors
are any other answer or a failed request; double bookings are counted in the database afterwards.
"""
from __future__ import annotations

import http.client
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.cookies import SimpleCookie
from pathlib import Path

from cryptography.fernet import Fernet

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"  # loopback only
VISITORS = int(os.environ.get("LOAD_VISITORS", "20"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "20"))
MAX_BOOKINGS = int(os.environ.get("LOAD_MAX_BOOKINGS", "200"))
ZONE = "Europe/Berlin"

OPEN_DAY = re.compile(r'data-date="(\d{4}-\d\d-\d\d)"')
SLOT = re.compile(r'start=([^&"]+)')
CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    booked: int = 0
    taken: int = 0
    tried: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def claim_booking(self) -> bool:
        with self.lock:
            if self.tried >= MAX_BOOKINGS:
                return False
            self.tried += 1
            return True


class Visitor:
    def __init__(self, port: int, slug: str, tally: Tally, seed: int):
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.slug = slug
        self.tally = tally
        self.random = random.Random(seed)
        self.cookie = ""
        self.csrf = ""

    def request(self, kind: str, method: str, path: str, body: str | None = None,
                expected: tuple[int, ...] = (200,)) -> tuple[int, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()  # reconnects on the next request
            self.tally.errors.append(f"{kind}: {type(exc).__name__}")
            return 0, ""
        elapsed = time.perf_counter() - started
        with self.tally.lock:
            self.tally.latencies[kind].append(elapsed)
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie(header)
            self.cookie = "; ".join(f"{k}={v.value}" for k, v in jar.items())
        if response.status not in expected:
            self.tally.errors.append(f"{kind}: HTTP {response.status}")
        return response.status, text

    def run(self, deadline: float) -> None:
        status, page = self.request("page", "GET", f"/book/{self.slug}")
        match = CSRF.search(page)
        if status != 200 or not match:
            self.tally.errors.append("page: no CSRF token")
            return
        self.csrf = match.group(1)
        today = date.today()
        months = sorted({(today + timedelta(days=d)).strftime("%Y-%m") for d in range(0, 60, 10)})
        while time.perf_counter() < deadline:
            month = self.random.choice(months)
            _, html = self.request("month", "GET", f"/book/{self.slug}/month?tz={ZONE}&month={month}")
            days = OPEN_DAY.findall(html)
            if not days:
                continue
            _, html = self.request("slots", "GET", f"/book/{self.slug}/slots?tz={ZONE}&date={self.random.choice(days)}")
            starts = [urllib.parse.unquote(s) for s in SLOT.findall(html)]
            if starts and self.random.random() < 0.3 and self.tally.claim_booking():
                body = urllib.parse.urlencode({"start": self.random.choice(starts), "tz": ZONE, "name": "Load Visitor",
                                               "email": "visitor@load.example", "csrf_token": self.csrf})
                status, _ = self.request("book", "POST", f"/book/{self.slug}", body, expected=(303, 409))
                with self.tally.lock:
                    self.tally.booked += status == 303
                    self.tally.taken += status == 409
        self.conn.close()


def prepare(workdir: Path) -> tuple[dict[str, str], str, int]:
    """A database with one owner (Europe/Berlin, 30-minute slots, 60 days ahead); returns env, slug, owner id."""
    from webapp import create_app
    from webapp.auth import create_user
    from webapp.db import database

    env = {"DATABASE_URL": f"sqlite:///{workdir / 'slotwise.db'}", "SECRET_KEY": "load-bench",
           "SLOTWISE_ENCRYPTION_KEY": Fernet.generate_key().decode(), "SCHEDULER_ENABLED": "0",
           "ICLOUD_CALDAV_URL": "http://127.0.0.1:9/", "HOST": HOST}
    app = create_app({key: value for key, value in env.items() if key != "HOST"} | {"SCHEDULER_ENABLED": False})
    with app.app_context():
        owner = create_user("owner@load.example", "load-bench-password", name="Load Owner", timezone=ZONE)
        slug, owner_id = owner.booking_slug, owner.id
    database.close()
    return env, slug, owner_id


def double_bookings(workdir: Path, owner_id: int) -> tuple[int, int]:
    """(live appointments, pairs of them that overlap), read from the database after the run."""
    import sqlite3

    with sqlite3.connect(workdir / "slotwise.db") as db:
        rows = db.execute("SELECT start_utc, end_utc FROM appointment WHERE owner_id = ? AND status = 'booked' "
                          "ORDER BY start_utc", (owner_id,)).fetchall()
    overlaps = sum(1 for (_, end), (start, _) in zip(rows, rows[1:]) if start < end)
    return len(rows), overlaps


def wait_until_serving(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the Slotwise server stopped at start-up")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the Slotwise server did not answer /healthz")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure() -> dict:
    from webapp.demo.radicale_process import free_port

    with tempfile.TemporaryDirectory(prefix="slotwise-load-") as tmp:
        workdir = Path(tmp)
        env, slug, owner_id = prepare(workdir)
        port = free_port()
        threads = os.environ.get("WAITRESS_THREADS", "8")
        with (workdir / "server.log").open("w") as log:
            server = subprocess.Popen([sys.executable, "-m", "webapp.serve"], cwd=HERE.parent,
                                      env={**os.environ, **env, "PORT": str(port), "WAITRESS_THREADS": threads},
                                      stdout=subprocess.DEVNULL, stderr=log)
            try:
                wait_until_serving(port, server)
                tally = Tally()
                started = time.perf_counter()
                deadline = started + SECONDS
                visitors = [Visitor(port, slug, tally, seed) for seed in range(VISITORS)]
                workers = [threading.Thread(target=v.run, args=(deadline,)) for v in visitors]
                for worker in workers:
                    worker.start()
                for worker in workers:
                    worker.join()
                elapsed = time.perf_counter() - started
            finally:
                server.terminate()
                server.wait(timeout=30)
        appointments, overlaps = double_bookings(workdir, owner_id)
    every = [s for values in tally.latencies.values() for s in values]
    return {
        "elapsed": elapsed, "threads": threads, "requests": len(every), "rps": len(every) / elapsed,
        "p50_ms": percentile(every, 0.5) * 1000, "p95_ms": percentile(every, 0.95) * 1000,
        "by_kind": {kind: (len(v), statistics.median(v) * 1000, percentile(v, 0.95) * 1000)
                    for kind, v in tally.latencies.items()},
        "errors": len(tally.errors), "error_kinds": sorted(set(tally.errors)),
        "booked": tally.booked, "taken": tally.taken, "appointments": appointments, "double_bookings": overlaps,
    }


def main() -> None:
    figures = measure()
    print()
    print(f"Booking page under load, {VISITORS} visitors for {SECONDS:.0f} s on waitress ({figures['threads']} threads, "
          f"own process, loopback), {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}")
    print()
    names = {"page": "booking page", "month": "month", "slots": "free times of a day", "book": "booking (POST)"}
    print("| request | count | p50 | p95 |")
    print("| --- | ---: | ---: | ---: |")
    for kind in ("page", "month", "slots", "book"):
        if kind in figures["by_kind"]:
            count, p50, p95 = figures["by_kind"][kind]
            print(f"| {names[kind]} | {count} | {p50:.0f} ms | {p95:.0f} ms |")
    print(f"| all | {figures['requests']} | {figures['p50_ms']:.0f} ms | {figures['p95_ms']:.0f} ms |")
    print()
    print(f"throughput: {figures['rps']:.0f} requests/s")
    print()
    print(f"errors: {figures['errors']}{' ' + ', '.join(figures['error_kinds']) if figures['errors'] else ''}; "
          f"bookings: {figures['booked']} made, {figures['taken']} refused as just taken; "
          f"appointments in the database: {figures['appointments']}; double bookings: {figures['double_bookings']}")
    if figures["errors"] or figures["double_bookings"] or figures["appointments"] != figures["booked"]:
        sys.exit("FAILED: errors or double bookings under load")


if __name__ == "__main__":
    main()
