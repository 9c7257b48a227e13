"""The in-process background scheduler (APScheduler) that keeps accounts in sync."""
from __future__ import annotations

import logging
import os

from flask import Flask

log = logging.getLogger(__name__)


def should_start(app: Flask) -> bool:
    if not app.config.get("SCHEDULER_ENABLED"):
        return False
    # Under the debug reloader only the child process (WERKZEUG_RUN_MAIN=true) serves requests.
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return False
    return True


def init_app(app: Flask) -> None:
    if not should_start(app):
        return
    log.info("background sync scheduler enabled (every %ss)", app.config["SYNC_INTERVAL_SECONDS"])
