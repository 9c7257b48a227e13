"""The production server: `python -m webapp.serve` (what `make run` starts).

waitress, with WAITRESS_THREADS threads in one process, so the in-process scheduler runs exactly once.
`flask run` stays for development.
"""
from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable

from flask import Flask
from waitress import create_server

from .logging_setup import configure

log = logging.getLogger("slotwise.serve")


def make_app() -> Flask:
    """The app as `make run` serves it: settings from the environment, the scheduler on unless turned off."""
    from . import create_app

    os.environ.setdefault("SCHEDULER_ENABLED", "1")
    return create_app()


def stop_on_sigterm() -> None:
    """SIGTERM ends the process like Ctrl-C does: through `finally` blocks, so clean-up runs."""

    def stop(signum, frame):  # noqa: ARG001 - signal handler signature
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)


def serve(app: Flask, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve until SIGINT or SIGTERM, then stop the scheduler."""
    from .sync.scheduler import shutdown

    host, port = app.config["HOST"], int(app.config["PORT"])
    server = create_server(app, host=host, port=port, threads=int(app.config["WAITRESS_THREADS"]),
                           ident="waitress")
    stop_on_sigterm()  # before on_ready: whoever reads the URL may stop us at once
    url = f"http://{host}:{server.effective_port}"
    log.info("serving %s with waitress, %s threads", url, app.config["WAITRESS_THREADS"])
    try:
        if on_ready:
            on_ready(url)
        server.run()  # returns on SIGINT or SIGTERM (waitress catches the exit)
    finally:
        log.info("stopping")
        server.close()
        shutdown(app)


def main() -> None:
    configure()
    app = make_app()
    serve(app)


if __name__ == "__main__":
    main()
