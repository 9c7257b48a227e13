"""Radicale in its own process (`python -m radicale --config FILE`), stopped with the demo."""
from __future__ import annotations

import base64
import ctypes
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from xml.sax.saxutils import escape


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """Linux: the kernel stops Radicale if the demo dies without cleaning up (kill -9)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class RadicaleProcess:
    def __init__(self, root: Path, users: dict[str, str]):
        self.root = root
        self.users = users
        self.port = free_port()
        (root / "users").write_text("".join(f"{name}:{password}\n" for name, password in users.items()))
        config = root / "radicale.conf"
        config.write_text(f"""[server]
hosts = 127.0.0.1:{self.port}
[auth]
type = htpasswd
htpasswd_filename = {root / 'users'}
htpasswd_encryption = plain
delay = 0.001
[rights]
type = owner_only
[storage]
filesystem_folder = {root / 'collections'}
[web]
type = none
[logging]
level = warning
mask_passwords = True
""")
        self.process = subprocess.Popen([sys.executable, "-m", "radicale", "--config", str(config)],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        (root / "pid").write_text(str(self.process.pid))
        self._wait_until_listening()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _wait_until_listening(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Radicale stopped at start-up (exit code {self.process.returncode})")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"Radicale did not listen on port {self.port} within {seconds:.0f} s")

    def request(self, user: str, method: str, path: str, body: str = "", content_type: str = "") -> int:
        req = urllib.request.Request(self.url.rstrip("/") + path, data=body.encode() or None, method=method)
        token = base64.b64encode(f"{user}:{self.users[user]}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
        if content_type:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"Radicale answered {exc.code} to {method} {path}") from None

    def make_calendar(self, user: str, calendar_id: str, name: str, color: str) -> None:
        body = f"""<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:I="http://apple.com/ns/ical/">
<D:set><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype>
<D:displayname>{escape(name)}</D:displayname><I:calendar-color>{escape(color)}</I:calendar-color>
<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set></D:prop></D:set>
</D:mkcol>"""
        self.request(user, "MKCOL", f"/{user}/{calendar_id}/", body, "application/xml")

    def put_event(self, user: str, calendar_id: str, uid: str, ics: str) -> None:
        self.request(user, "PUT", f"/{user}/{calendar_id}/{uid}.ics", ics, "text/calendar; charset=utf-8")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
