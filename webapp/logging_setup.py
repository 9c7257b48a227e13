"""Logging to stderr, one readable line per event, with the request id and the signed-in user's id.

Each request gets an id (a sane incoming X-Request-ID is kept, else a new one), sent back in the
X-Request-ID header and shown on error pages, so a user's report finds its log lines. Lines name
users and accounts by id; the access line logs the path without its query string; no password,
token or cookie is ever formatted into a line.
"""
from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import IO

from flask import Flask, Response, g, has_request_context, request

FORMAT = "%(asctime)s %(levelname)s %(name)s [req=%(request_id)s user=%(user_id)s] %(message)s"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("slotwise.request")


class RequestContextFilter(logging.Filter):
    """Adds request_id and user_id (or "-") to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id", "-")
            # the user Flask-Login has loaded for this request, if any (its row id, never get_id():
            # that is the session's alternative id, a secret)
            record.user_id = getattr(g.get("_login_user"), "id", None) or "-"
        else:
            record.request_id = getattr(record, "request_id", "-")
            record.user_id = getattr(record, "user_id", "-")
        return True


def configure(stream: IO[str] | None = None, level: int = logging.INFO) -> logging.Handler:
    """Send every log record to stderr (or `stream`) in FORMAT; returns the handler installed."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("peewee", "urllib3", "niquests", "caldav", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler


def request_id() -> str:
    return g.get("request_id", "-") if has_request_context() else "-"


def init_app(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex[:16]
        g.request_started = time.perf_counter()

    @app.after_request
    def _access_line(response: Response) -> Response:
        if "request_id" not in g:  # a before_request hook answered before ours ran
            g.request_id = uuid.uuid4().hex[:16]
        response.headers["X-Request-ID"] = g.request_id
        if request.endpoint != "static":
            from flask_login import current_user

            if request.endpoint != "health.healthz":  # which may answer while the database does not
                current_user._get_current_object()  # loaded now, so the line names the user
            elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
            access_log.info("%s %s %s %.1fms from %s", request.method, request.path, response.status_code,
                            elapsed, request.remote_addr or "-")
        return response
