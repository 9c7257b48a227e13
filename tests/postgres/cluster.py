"""A throwaway PostgreSQL cluster on a local socket, for the tests and the benchmark (standard library only).

    python tests/postgres/cluster.py COMMAND [ARG …]

starts a cluster in a new folder under /tmp, runs COMMAND with TEST_DATABASE_URL pointing at it, then stops
the cluster and deletes the folder. With TEST_DATABASE_URL already set it only runs COMMAND.

initdb refuses to run as root, and CI runs as root: then the cluster belongs to Debian's `postgres` user
(made by the `postgresql` package) and its programs run through `runuser`. It listens on a Unix socket in
its own folder only (no TCP port, so it cannot clash with another cluster), trusts local connections, and
trades durability for speed (fsync off): it holds test data only. pytest-postgresql was not used: it runs
initdb and pg_ctl as the current user, which fails as root.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SUPERUSER = "postgres"
PORT = 5432  # only names the socket file (.s.PGSQL.5432) inside the cluster's own folder
SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "64MB",
}


class ClusterError(RuntimeError):
    """PostgreSQL is not installed, or the cluster did not start."""


def bindir() -> Path:
    """The folder of initdb/pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<newest>/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if versions:
        return Path(versions[-1]).parent
    raise ClusterError("PostgreSQL is not installed (no initdb): `apt-get install postgresql`, or `make postgresql`")


class Cluster:
    def __init__(self) -> None:
        self.bin = bindir()
        self.owner = pwd.getpwnam(SUPERUSER) if os.geteuid() == 0 else None
        self.folder = Path(tempfile.mkdtemp(prefix="slotwise-pg-"))
        self.data = self.folder / "data"
        if self.owner is not None:
            os.chown(self.folder, self.owner.pw_uid, self.owner.pw_gid)

    @property
    def url(self) -> str:
        return f"postgresql://{SUPERUSER}@/postgres?host={self.folder}&port={PORT}"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.owner is not None:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd="/")
        if done.returncode:
            raise ClusterError(f"{args[0]} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")

    def start(self) -> str:
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8",
                  "--locale=C", "--no-sync")
        options = " ".join(f"-c {k}={v}" for k, v in {**SETTINGS, "unix_socket_directories": f"'{self.folder}'",
                                                       "port": PORT}.items())
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-o", options,
                  "-w", "-t", "60", "start")
        return self.url

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    if os.environ.get("TEST_DATABASE_URL"):
        return subprocess.call(argv)
    cluster = Cluster()
    try:
        url = cluster.start()
        print(f"PostgreSQL test cluster at {url}", file=sys.stderr)
        return subprocess.call(argv, env={**os.environ, "TEST_DATABASE_URL": url})
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
