"""GET /healthz: is the database answering, is the scheduler running, how fresh is the sync.

No sign-in; no personal data: counts and ages only. 200 while the database answers, else 503.
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify

from .db import database
from .models import CalendarAccount, utcnow

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


def scheduler_state() -> str:
    if not current_app.config.get("SCHEDULER_ENABLED"):
        return "off"
    scheduler = current_app.extensions.get("slotwise_scheduler")
    return "running" if scheduler is not None and scheduler.running else "stopped"


def stale_after_seconds() -> int:
    """A last sync older than this, with the scheduler running, makes the instance degraded."""
    return max(600, 10 * int(current_app.config["SYNC_INTERVAL_SECONDS"]))


@bp.get("/healthz")
def healthz():
    report = {"status": "ok", "database": "ok", "scheduler": scheduler_state(),
              "accounts_needing_reconnect": None, "last_sync_age_seconds": None}
    try:
        database.connect(reuse_if_open=True)
        database.execute_sql("SELECT 1")
        report["accounts_needing_reconnect"] = (
            CalendarAccount.select().where(CalendarAccount.status == CalendarAccount.NEEDS_RECONNECT).count())
        last = CalendarAccount.select(CalendarAccount.last_synced_at).where(
            CalendarAccount.last_synced_at.is_null(False)).order_by(CalendarAccount.last_synced_at.desc()).first()
        if last is not None:
            report["last_sync_age_seconds"] = max(0, int((utcnow() - last.last_synced_at).total_seconds()))
    except Exception as exc:  # any driver's error: the answer is "the database does not answer"
        log.warning("health check: the database does not answer (%s)", type(exc).__name__)
        report.update(status="degraded", database="unavailable")
        return jsonify(report), 503
    age = report["last_sync_age_seconds"]
    if report["scheduler"] == "stopped" or (
            report["scheduler"] == "running" and age is not None and age > stale_after_seconds()):
        report["status"] = "degraded"
    return jsonify(report), 200
