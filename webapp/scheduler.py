"""The in-process background scheduler (APScheduler) that keeps accounts in sync."""
from __future__ import annotations

import atexit
import logging
import os
import threading
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

log = logging.getLogger(__name__)

JOB_ID = "slotwise-sync-all"
MAIL_JOB_ID = "slotwise-mail-outbox"
MAIL_INTERVAL_SECONDS = 60
_started: dict[int, BackgroundScheduler] = {}  # id(app) → its scheduler: never two for one app
_guard = threading.Lock()


def should_start(app: Flask) -> bool:
    if not app.config.get("SCHEDULER_ENABLED"):
        return False
    # Under the debug reloader only the child process (WERKZEUG_RUN_MAIN=true) serves requests.
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return False
    return True


def run_due_syncs(app: Flask) -> int:
    """One tick: sync every account that is due (each under its own lock). Returns how many."""
    from .db import database
    from .syncing import sync_due_accounts

    with app.app_context():
        database.connect(reuse_if_open=True)
        try:
            return sync_due_accounts()
        finally:
            if not database.is_closed():
                database.close()


def run_mail(app: Flask) -> int:
    """One tick of the mail outbox: write due reminders, send what is due (retries after back-off)."""
    from .db import database
    from .mail.outbox import enqueue_reminders, send_due

    with app.app_context():
        database.connect(reuse_if_open=True)
        try:
            enqueue_reminders()
            return send_due()
        finally:
            if not database.is_closed():
                database.close()


def init_app(app: Flask) -> BackgroundScheduler | None:
    if not should_start(app):
        return None
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
        scheduler.add_job(run_mail, "interval", seconds=MAIL_INTERVAL_SECONDS, args=[app], id=MAIL_JOB_ID,
                          coalesce=True, max_instances=1, replace_existing=True,
                          next_run_time=datetime.now(timezone.utc) + timedelta(seconds=10))
        scheduler.start()
        _started[id(app)] = scheduler
        app.extensions["slotwise_scheduler"] = scheduler
        atexit.register(lambda: scheduler.shutdown(wait=False) if scheduler.running else None)
    log.info("background sync scheduler started (every %ss)", interval)
    return scheduler


def shutdown(app: Flask) -> None:
    with _guard:
        scheduler = _started.pop(id(app), None)
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=True)
