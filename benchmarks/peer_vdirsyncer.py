"""Runs inside benchmarks/.venv-vdirsyncer: times vdirsyncer syncs in-process, its start-up excluded.

Usage: python peer_vdirsyncer.py WORKDIR CALENDAR_URL USERNAME PASSWORD
then commands on stdin, one a line: `reset` (forget the local copy, so the next sync is a first sync)
or `sync`; each answers one line `RESULT <seconds>` on stdout.
"""
from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

CONFIG = """[general]
status_path = "{status}"

[pair bench]
a = "bench_remote"
b = "bench_local"
collections = null
conflict_resolution = "a wins"

[storage bench_remote]
type = "caldav"
url = "{url}"
username = "{username}"
password = "{password}"

[storage bench_local]
type = "filesystem"
path = "{local}"
fileext = ".ics"
"""


def main() -> None:
    workdir, url, username, password = Path(sys.argv[1]), *sys.argv[2:5]
    local, status = workdir / "local", workdir / "status"
    local.mkdir(parents=True, exist_ok=True)
    status.mkdir(parents=True, exist_ok=True)
    config = workdir / "config"
    config.write_text(CONFIG.format(status=status, url=url, username=username, password=password, local=local))

    from vdirsyncer.cli import app

    def run(*args: str) -> None:
        app.main(["-c", str(config), *args], standalone_mode=False)

    run("discover", "bench")
    print("READY", flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "reset":
            shutil.rmtree(local)
            local.mkdir()
            (status / "bench.items").unlink(missing_ok=True)
            print("RESULT 0", flush=True)
        elif command == "sync":
            started = time.perf_counter()
            run("sync")
            print(f"RESULT {time.perf_counter() - started:.6f}", flush=True)


if __name__ == "__main__":
    main()
