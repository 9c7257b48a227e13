"""The per-account lock on PostgreSQL holds across processes and dies with the process that held it."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

from tests.conftest import TEST_KEY
from webapp.sync.locks import ACCOUNT_LOCK_SPACE, account_lock

ROOT = Path(__file__).resolve().parents[2]
HOLDER = """
import sys, time
from webapp import create_app
from webapp.sync.locks import account_lock
app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": sys.argv[1], "SLOTWISE_ENCRYPTION_KEY": sys.argv[2]})
with app.app_context(), account_lock(7):
    print("held", flush=True)
    time.sleep(600)
"""


def lock_is_free(url: str, account_id: int) -> bool:
    """Whether another session could take the account's lock now (taken and given back at once)."""
    with psycopg.connect(url, autocommit=True) as con:
        free = con.execute("SELECT pg_try_advisory_lock(%s, %s)", (ACCOUNT_LOCK_SPACE, account_id)).fetchone()[0]
        if free:
            con.execute("SELECT pg_advisory_unlock(%s, %s)", (ACCOUNT_LOCK_SPACE, account_id))
        return free


def test_the_lock_is_held_for_other_processes_and_released_when_its_holder_is_killed(app, app_config):
    url = app_config["DATABASE_URL"]
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, url, TEST_KEY], cwd=ROOT, env=os.environ,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert not lock_is_free(url, 7)
        assert lock_is_free(url, 8)  # another account is not held up
        holder.kill()  # no clean-up runs: the server ends the session, and its lock with it
        holder.wait(timeout=30)
        with app.app_context(), account_lock(7):
            assert not lock_is_free(url, 7)
        assert lock_is_free(url, 7)
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait(timeout=30)
        holder.stdout.close()


def test_a_sync_asked_for_while_another_process_holds_the_lock_waits_then_runs(app, app_config):
    url = app_config["DATABASE_URL"]
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, url, TEST_KEY], cwd=ROOT, env=os.environ,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        ran = threading.Event()

        def waiter() -> None:
            with app.app_context(), account_lock(7):
                ran.set()

        thread = threading.Thread(target=waiter)
        thread.start()
        while not _waiting_for_advisory_lock(url):  # the waiter has reached the server and queues there
            time.sleep(0.05)
        assert not ran.is_set()
        holder.kill()
        thread.join(timeout=60)
        assert ran.is_set()
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait(timeout=30)
        holder.stdout.close()


def _waiting_for_advisory_lock(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as con:
        return con.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").fetchone()[0] > 0
