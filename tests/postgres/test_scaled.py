"""Two web workers (real waitress processes, SCHEDULER_ENABLED=0) and one sync worker on one PostgreSQL
database: syncs of one account never overlap and none is lost; racing bookings give one appointment."""
from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from tests.conftest import APP_PASSWORD, PASSWORD, TEST_KEY
from tests.sync.conftest import ICLOUD_USER, at, vevent
from webapp.demo.radicale_process import free_port

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Worker:
    """One process of a scaled start, its stderr kept in a file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], folder: Path):
        self.name = name
        self.log_path = folder / f"{name}.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self._log)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=60)
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text()


class Browser:
    """One visitor's cookie jar against one web worker (plain HTTP, as a browser would send it)."""

    def __init__(self, port: int):
        self.port = port
        self.cookie = ""

    def request(self, method: str, path: str, body: dict | str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie(header)
            self.cookie = "; ".join(f"{k}={v.value}" for k, v in jar.items())
        return response.status, text

    def csrf(self, path: str) -> str:
        status, page = self.request("GET", path)
        assert status == 200, f"GET {path} answered {status}"
        return CSRF.search(page).group(1)

    def login(self, email: str) -> str:
        status, _ = self.request("POST", "/login", {"email": email, "password": PASSWORD,
                                                    "csrf_token": self.csrf("/login")})
        assert status == 302
        return self.csrf("/settings/profile/integrations")


def wait_until_serving(port: int, worker: Worker, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert worker.process.poll() is None, f"{worker.name} stopped:\n{worker.log()}"
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    raise AssertionError(f"{worker.name} did not answer on {port}")


@pytest.fixture
def scaled(app, app_config, radicale, make_user, make_account, tmp_path):
    """An owner with an iCloud account on Radicale (two calendars, events in both), two web workers on
    PostgreSQL and one sync worker ticking every second; yields (owner, account id, [web ports], workers)."""
    radicale.add_user(ICLOUD_USER, APP_PASSWORD)
    home = radicale.make_calendar(ICLOUD_USER, "home", "Home")
    work = radicale.make_calendar(ICLOUD_USER, "work", "Work")
    for n in range(20):
        radicale.put_event(ICLOUD_USER, "home" if n % 2 else "work", f"e{n}.ics", vevent(f"e{n}", at(2 + n, 8)))
    owner = make_user(email="ada@example.com", timezone="Europe/Berlin", name="Ada")
    account = make_account(owner, ICLOUD_USER, calendars={home: ("Home", "primary"), work: ("Work", "conflict")})
    from webapp.db import database

    database.close()
    env = {**os.environ, "DATABASE_URL": app_config["DATABASE_URL"], "SECRET_KEY": "scaled-test",
           "SLOTWISE_ENCRYPTION_KEY": TEST_KEY, "ICLOUD_CALDAV_URL": radicale.url, "HOST": "127.0.0.1",
           "WAITRESS_THREADS": "8", "SYNC_INTERVAL_SECONDS": "1", "BOOKING_LIMIT_PER_EMAIL": "3",
           "BOOKING_LIMIT_PER_ADDRESS_PER_HOUR": "0"}
    from webapp.serve import scaled_commands

    ports = [free_port(), free_port()]
    workers = []
    try:
        for i, (command, extra) in enumerate(scaled_commands(2, 0)):
            if "PORT" in extra:
                extra = {**extra, "PORT": str(ports[i])}
            workers.append(Worker(f"web{i}" if "PORT" in extra else "sync-worker", command, {**env, **extra},
                                  tmp_path))
        for port, worker in zip(ports, workers):
            wait_until_serving(port, worker)
        yield owner, account.id, ports, workers
    finally:
        for worker in workers:
            worker.stop()


def runs_of(app, account_id: int):
    from webapp.models import SyncRun

    with app.app_context():
        return list(SyncRun.select().where(SyncRun.account == account_id).order_by(SyncRun.started_at))


def wait_for_runs(app, account_id: int, count: int, workers: list[Worker], seconds: float = 90) -> list:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        runs = [r for r in runs_of(app, account_id) if r.finished_at is not None]
        if len(runs) >= count:
            return runs
        assert all(w.process.poll() is None for w in workers), "\n".join(w.log() for w in workers)
        time.sleep(0.2)
    raise AssertionError(f"fewer than {count} finished syncs:\n" + "\n".join(w.log() for w in workers))


def in_parallel(work, count: int) -> list:
    """Run work(i) for i in range(count) in threads released together; their results in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        barrier.wait(timeout=60)
        try:
            results[i] = work(i)
        except Exception as exc:  # a failed request is a result the test reports
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return results


def test_sync_now_from_two_web_workers_and_the_sync_workers_ticks_never_overlap_and_none_is_lost(app, scaled):
    owner, account_id, ports, workers = scaled
    before = wait_for_runs(app, account_id, 1, workers)  # the sync worker ticks on its own
    browsers = [Browser(ports[i % 2]) for i in range(6)]
    tokens = [b.login(owner.email) for b in browsers]
    answers = in_parallel(lambda i: browsers[i].request(
        "POST", f"/settings/profile/integrations/accounts/{account_id}/sync",
        headers={"HX-Request": "true", "X-CSRFToken": tokens[i]}), len(browsers))
    assert [a[0] if isinstance(a, tuple) else a for a in answers] == [200] * len(browsers)
    assert all("Sync finished." in a[1] for a in answers)
    after = wait_for_runs(app, account_id, len(before) + len(browsers) + 1, workers)  # and a tick after them
    # every Sync now ran (each answered after its own run), and no two runs of the account overlapped
    assert all(r.error is None for r in after)
    for earlier, later in zip(after, after[1:]):
        assert earlier.finished_at <= later.started_at, (earlier.id, later.id)
    assert "sync worker running" in workers[2].log()
    assert all("background sync scheduler started" not in w.log() for w in workers[:2])  # web workers: off
    workers[2].stop()  # SIGTERM: the worker lets the running jobs finish and ends cleanly
    assert workers[2].process.returncode == 0 and "sync worker stopped" in workers[2].log()


def test_eight_racing_bookings_of_one_slot_through_two_workers_make_one_appointment(app, scaled):
    owner, _, ports, workers = scaled
    from webapp.auth import issue_api_token
    from webapp.event_types import default_type
    from webapp.models import Appointment, User

    with app.app_context():
        token = issue_api_token(User.get_by_id(owner.id))
        kind = default_type(User.get_by_id(owner.id))
        day = at(21, 0)
        start = (day - timedelta(days=day.weekday())).replace(hour=9)  # a Monday 09:00 UTC = 10:00 or 11:00 Berlin
    body = json.dumps({"start": start.isoformat() + "+00:00", "event_type": kind.slug,
                       "contact": {"name": "Bo", "email": "bo@example.org"}})
    answers = in_parallel(lambda i: Browser(ports[i % 2]).request(
        "POST", "/api/v1/appointments", body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}), 8)
    statuses = sorted(a[0] if isinstance(a, tuple) else repr(a) for a in answers)
    assert statuses == [201] + [409] * 7, statuses
    with app.app_context():
        assert Appointment.live().where(Appointment.owner == owner.id).count() == 1


def test_racing_public_bookings_from_one_email_through_two_workers_stop_at_its_limit(app, scaled):
    owner, _, ports, workers = scaled
    from webapp.models import Appointment, User

    with app.app_context():
        slug = User.get_by_id(owner.id).booking_slug
        day = at(21, 0)
        monday = (day - timedelta(days=day.weekday())).replace(hour=9)
    starts = [(monday + timedelta(days=d // 2, hours=d % 2)).isoformat() + "+00:00" for d in range(8)]

    def book(i: int) -> int:
        visitor = Browser(ports[i % 2])
        csrf = visitor.csrf(f"/book/{slug}/form?" + urllib.parse.urlencode({"start": starts[i]}))
        return visitor.request("POST", f"/book/{slug}", {"start": starts[i], "tz": "Europe/Berlin",
                                                          "name": "Bo", "email": "bo@example.org",
                                                          "csrf_token": csrf})[0]

    answers = in_parallel(book, 8)
    assert sorted(answers) == [303] * 3 + [429] * 5, answers  # BOOKING_LIMIT_PER_EMAIL=3, checked under the lock
    with app.app_context():
        assert Appointment.live().where(Appointment.owner == owner.id).count() == 3
