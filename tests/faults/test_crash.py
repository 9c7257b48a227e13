"""A crash between the PUT reaching iCloud and the database commit: after a restart, one sync leaves
exactly one event on the server and the appointment marked synced."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from tests.conftest import TEST_KEY
from tests.faults.conftest import APPLE_ID
from webapp.models import Appointment, utcnow
from webapp.sync import sync_account_now

ROOT = Path(__file__).parents[2]


def test_killed_after_the_put_reached_the_server_leaves_one_event_and_a_synced_appointment(
        app, app_config, proxy, radicale, user, make_account):
    radicale.make_calendar(APPLE_ID, "home", "Home")
    calendar_url = proxy.url.rstrip("/") + radicale.calendar_path(APPLE_ID, "home")
    account = make_account(user, APPLE_ID, calendars={calendar_url: ("Home", "primary")})
    start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    with app.app_context():
        appointment = Appointment.create(owner=user.id, title="Intro", start_utc=start,
                                         end_utc=start + timedelta(minutes=30))

    hold = proxy.inject("hold", method="PUT")
    env = {**os.environ, "DATABASE_URL": app_config["DATABASE_URL"], "SLOTWISE_ENCRYPTION_KEY": TEST_KEY,
           "SECRET_KEY": "crash-test", "ICLOUD_CALDAV_URL": proxy.url, "CALDAV_TIMEOUT_SECONDS": "60",
           "SCHEDULER_ENABLED": "0"}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "webapp", "sync"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert hold.forwarded.wait(timeout=60), "the sync never wrote the appointment"
        worker.send_signal(signal.SIGKILL)  # the event is on the server; the process never hears back
        worker.wait(timeout=10)
    finally:
        hold.release.set()
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == -signal.SIGKILL
    assert sum("@slotwise" in ics for ics in radicale.objects(APPLE_ID, "home").values()) == 1
    with app.app_context():
        assert Appointment.get_by_id(appointment.id).push_state != Appointment.PUSH_SYNCED

    proxy.clear()  # "restart": a new process (this one) syncs again
    with app.app_context():
        run = sync_account_now(account.id)
        assert run.error is None
        row = Appointment.get_by_id(appointment.id)
        assert row.push_state == Appointment.PUSH_SYNCED and row.remote_etag
    events = [ics for ics in radicale.objects(APPLE_ID, "home").values() if "@slotwise" in ics]
    assert len(events) == 1 and appointment.event_uid in events[0]
