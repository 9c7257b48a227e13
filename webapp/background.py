"""Work that follows a commit (a push to iCloud, an e-mail): a daemon thread with its own app context."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask

from .db import database

log = logging.getLogger(__name__)


def in_background(app: Flask, name: str, work: Callable[..., object], *args, **kwargs) -> threading.Thread:
    """Run `work(*args, **kwargs)` in a thread named `name`, with its own database connection; returns the
    started thread (a caller may wait for it)."""
    def target() -> None:
        with app.app_context():
            database.connect(reuse_if_open=True)
            try:
                work(*args, **kwargs)
            except Exception:  # a background thread has nobody to raise to: log it in full
                log.exception("background work %s failed", name)
            finally:
                if not database.is_closed():
                    database.close()

    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread
