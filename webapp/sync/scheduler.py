"""The in-process background scheduler (APScheduler) that keeps accounts in sync and runs the other
periodic jobs the app's concerns register with `add_job` (the mail outbox) before it starts."""
from __future__ import annotations

import atexit
import logging
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from ..db import database
from . import sync_due_accounts

log = logging.getLogger(__name__)

JOB_ID = "slotwise-sync-all"
JOBS = "slotwise_jobs"  # app.extensions key: the jobs registered with add_job
_started: dict[int, BackgroundScheduler] = {}  # id(app) → its scheduler: never two for one app
_guard = threading.Lock()


def should_start(app: Flask) -> bool:
    if not app.config.get("SCHEDULER_ENABLED"):
        return False
    # Under the debug reloader only the child process (WERKZEUG_RUN_MAIN=true) serves requests.
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return False
    return True


@dataclass(frozen=True)
class Job:
    work: Callable[[], object]
    seconds: int
    first_after: int  # seconds after start-up


def add_job(app: Flask, job_id: str, work: Callable[[], object], *, seconds: int, first_after: int) -> None:
    """Run `work()` every `seconds` (the first time `first_after` seconds after start-up) in an app context
    with a database connection of its own, whenever the scheduler runs. Register before `init_app`."""
    app.extensions.setdefault(JOBS, {})[job_id] = Job(work, seconds, first_after)


def run_job(app: Flask, work: Callable[[], object]):
    """One tick of a job, in its own app context and database connection."""
    with app.app_context():
        database.connect(reuse_if_open=True)
        try:
            return work()
        finally:
            if not database.is_closed():
                database.close()


def run_due_syncs(app: Flask) -> int:
    """One tick: sync every account that is due (each under its own lock). Returns how many."""
    return run_job(app, sync_due_accounts)


def init_app(app: Flask) -> BackgroundScheduler | None:
    """Start the scheduler in this process when SCHEDULER_ENABLED (off on web workers beside a sync worker)."""
    if not should_start(app):
        return None
    return start(app)


def start(app: Flask) -> BackgroundScheduler:
    """The app's scheduler, started now unless it runs already (never two for one app)."""
    with _guard:
        if id(app) in _started:
            return _started[id(app)]
        interval = int(app.config["SYNC_INTERVAL_SECONDS"])
        scheduler = BackgroundScheduler(daemon=True, timezone="UTC")
        # coalesce: missed ticks run once; max_instances=1: a slow sync never overlaps the next tick.
        # The first tick comes right after start-up, so a restart does not leave the mirror a minute old.
        scheduler.add_job(run_due_syncs, "interval", seconds=interval, args=[app], id=JOB_ID,
                          coalesce=True, max_instances=1, replace_existing=True,
                          next_run_time=datetime.now(timezone.utc) + timedelta(seconds=5))
        for job_id, job in app.extensions.get(JOBS, {}).items():
            scheduler.add_job(run_job, "interval", seconds=job.seconds, args=[app, job.work], id=job_id,
                              coalesce=True, max_instances=1, replace_existing=True,
                              next_run_time=datetime.now(timezone.utc) + timedelta(seconds=job.first_after))
        scheduler.start()
        _started[id(app)] = scheduler
        app.extensions["slotwise_scheduler"] = scheduler
        atexit.register(lambda: scheduler.shutdown(wait=False) if scheduler.running else None)
    log.info("background sync scheduler started (every %ss)", interval)
    return scheduler


def run_in_foreground(app: Flask, on_ready: Callable[[], None] | None = None) -> None:
    """The sync worker: run the scheduler's jobs until SIGTERM or SIGINT, then let running jobs finish.

    Whatever SCHEDULER_ENABLED says: this process is the one that runs them.
    """
    stopping = threading.Event()

    def stop(signum, frame):  # noqa: ARG001 - signal handler signature
        log.info("sync worker: %s received, stopping after the running jobs", signal.Signals(signum).name)
        stopping.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        start(app)
        log.info("sync worker running (syncs every %ss, push and mail outboxes)", app.config["SYNC_INTERVAL_SECONDS"])
        if on_ready:
            on_ready()
        while not stopping.wait(1):
            pass
    finally:
        shutdown(app)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log.info("sync worker stopped")


def shutdown(app: Flask) -> None:
    with _guard:
        scheduler = _started.pop(id(app), None)
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=True)
