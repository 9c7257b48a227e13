"""The production server: `python -m webapp.serve` (what `make run` starts).

waitress, with WAITRESS_THREADS threads in one process, so the in-process scheduler runs exactly once.
`python -m webapp.serve --workers N` (`make run-scaled`) starts N such web workers on PORT, PORT+1, …
with SCHEDULER_ENABLED=0 and one `flask --app webapp sync-worker`, all against one PostgreSQL
DATABASE_URL, and stops them all when it is stopped or one of them ends.
`flask run` stays for development.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
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


def scaled_commands(workers: int, port: int) -> list[tuple[list[str], dict[str, str]]]:
    """(command, extra environment) of each process of a scaled start: the web workers, then the sync worker."""
    web = [([sys.executable, "-m", "webapp.serve"], {"PORT": str(port + i), "SCHEDULER_ENABLED": "0"})
           for i in range(workers)]
    return [*web, ([sys.executable, "-m", "flask", "--app", "webapp", "sync-worker"], {"SCHEDULER_ENABLED": "0"})]


def serve_scaled(workers: int) -> int:
    """Run the web workers and the sync worker until SIGINT/SIGTERM or until one of them ends."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres", "psycopg")):
        log.error("several workers need a PostgreSQL DATABASE_URL (postgresql://…); SQLite serves one process: "
                  "use `make run`")
        return 2
    port = int(os.environ.get("PORT", "5000"))
    children = [subprocess.Popen(command, env={**os.environ, **extra}) for command, extra in scaled_commands(workers, port)]
    log.info("started %d web workers on ports %d-%d and one sync worker", workers, port, port + workers - 1)
    stop_on_sigterm()
    try:
        os.wait()  # until the first child ends (or a signal stops us)
        log.error("a worker ended; stopping the others")
        return 1
    except (KeyboardInterrupt, SystemExit):
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            child.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webapp.serve", description="Serve Slotwise with waitress.")
    parser.add_argument("--workers", type=int, default=0,
                        help="start this many web workers (PORT, PORT+1, …) and one sync worker (PostgreSQL only)")
    args = parser.parse_args(argv)
    configure()
    if args.workers:
        return serve_scaled(args.workers)
    app = make_app()
    serve(app)
    return 0


if __name__ == "__main__":
    sys.exit(main())
