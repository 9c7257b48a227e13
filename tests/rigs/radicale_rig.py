"""A real Radicale CalDAV server on 127.0.0.1 with a temporary store and password auth.

The server runs Radicale's WSGI application in a thread behind a small middleware that counts the
requests Slotwise makes (the rig's own set-up requests carry `X-Rig: 1` and are not counted).
"""
from __future__ import annotations

import base64
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import radicale
import radicale.config
from werkzeug.serving import make_server

from tests.rigs.quiet import QuietHandler


@dataclass
class SeenRequest:
    method: str
    path: str
    depth: str | None


@dataclass
class RigResponse:
    status: int
    headers: dict[str, str]
    body: bytes


class _Counting:
    def __init__(self, app, rig: RadicaleRig):
        self.app = app
        self.rig = rig

    def __call__(self, environ, start_response):
        if environ.get("HTTP_X_RIG") != "1":
            with self.rig.lock:
                self.rig.seen.append(
                    SeenRequest(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), environ.get("HTTP_DEPTH"))
                )
        return self.app(environ, start_response)


@dataclass
class RadicaleRig:
    """Radicale on a free loopback port. Users are plain htpasswd entries."""

    root: Path
    seen: list[SeenRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    users: dict[str, str] = field(default_factory=dict)
    port: int = 0

    def __post_init__(self) -> None:
        self.htpasswd = self.root / "users"
        self.htpasswd.write_text("")
        configuration = radicale.config.load()
        configuration.update(
            {
                "auth": {
                    "type": "htpasswd",
                    "htpasswd_filename": str(self.htpasswd),
                    "htpasswd_encryption": "plain",
                    "delay": "0.001",
                },
                "rights": {"type": "owner_only"},
                "storage": {"filesystem_folder": str(self.root / "collections")},
                "web": {"type": "none"},
                "logging": {"level": "warning", "mask_passwords": "True"},
            },
            "test",
            privileged=True,
        )
        self.application = _Counting(radicale.Application(configuration), self)
        self._server = None
        self.start()

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        self._server = make_server("127.0.0.1", self.port, self.application, threaded=True,
                                   request_handler=QuietHandler)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        """What Slotwise's ICLOUD_CALDAV_URL points at."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def allowed_hosts(self) -> str:
        """What CALDAV_ALLOWED_HOSTS must add for this server: nothing, it serves everything at `url`."""
        return ""

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- counting ---------------------------------------------------------------------------
    def reset_counts(self) -> None:
        with self.lock:
            self.seen.clear()

    @property
    def request_count(self) -> int:
        with self.lock:
            return len(self.seen)

    # --- set-up helpers (not counted) -------------------------------------------------------
    def add_user(self, username: str, password: str) -> None:
        self.users[username] = password
        self.htpasswd.write_text("".join(f"{u}:{p}\n" for u, p in self.users.items()))

    def calendar_path(self, username: str, calendar_id: str) -> str:
        return f"/{username}/{calendar_id}/"

    def calendar_url(self, username: str, calendar_id: str) -> str:
        """The calendar's URL as Slotwise sees it in a listing."""
        return self.origin + self.calendar_path(username, calendar_id)

    def raw(self, username: str, method: str, path: str, body: bytes | str = b"",
            headers: dict[str, str] | None = None) -> RigResponse:
        """A request straight to Radicale as `username`, not counted."""
        data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(self.origin + path, data=data or None, method=method)
        token = base64.b64encode(f"{username}:{self.users[username]}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
        req.add_header("X-Rig", "1")
        for key, value in (headers or {}).items():
            req.add_header(key, value)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:  # seeding a big calendar takes a while
                return RigResponse(resp.status, dict(resp.headers), resp.read())
        except urllib.error.HTTPError as exc:
            return RigResponse(exc.code, dict(exc.headers), exc.read())

    def make_calendar(self, username: str, calendar_id: str, name: str | None = None,
                      color: str | None = None, components: tuple[str, ...] = ("VEVENT",)) -> str:
        """Create a calendar collection; returns its URL as Slotwise sees it."""
        comps = "".join(f'<C:comp name="{c}"/>' for c in components)
        color_xml = f"<I:calendar-color>{escape(color)}</I:calendar-color>" if color else ""
        body = f"""<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:I="http://apple.com/ns/ical/">
<D:set><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype>
<D:displayname>{escape(name or calendar_id)}</D:displayname>{color_xml}
<C:supported-calendar-component-set>{comps}</C:supported-calendar-component-set></D:prop></D:set></D:mkcol>"""
        response = self.raw(username, "MKCOL", self.calendar_path(username, calendar_id), body,
                            {"Content-Type": "application/xml"})
        assert response.status == 201, (response.status, response.body)
        return self.calendar_url(username, calendar_id)

    def put_event(self, username: str, calendar_id: str, filename: str, ics: str) -> str:
        """Create or replace one object; returns its ETag."""
        response = self.raw(username, "PUT", self.calendar_path(username, calendar_id) + filename,
                            ics.replace("\r\n", "\n").replace("\n", "\r\n"),
                            {"Content-Type": "text/calendar; charset=utf-8"})
        assert response.status in (201, 204), (response.status, response.body)
        return response.headers.get("ETag", "")

    def delete_event(self, username: str, calendar_id: str, filename: str, missing_ok: bool = False) -> None:
        response = self.raw(username, "DELETE", self.calendar_path(username, calendar_id) + filename)
        assert response.status in ((200, 204, 404) if missing_ok else (200, 204)), (response.status, response.body)

    def put_collection(self, username: str, calendar_id: str, vcalendar: str) -> None:
        """Replace a whole calendar with one multi-event VCALENDAR (fast for big calendars)."""
        response = self.raw(username, "PUT", self.calendar_path(username, calendar_id),
                            vcalendar.replace("\r\n", "\n").replace("\n", "\r\n"),
                            {"Content-Type": "text/calendar; charset=utf-8"})
        assert response.status in (201, 204), (response.status, response.body)

    def objects(self, username: str, calendar_id: str) -> dict[str, str]:
        """href → iCalendar text of every object in the calendar, read straight from Radicale."""
        body = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:getetag/><C:calendar-data/></D:prop>
<C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>"""
        response = self.raw(username, "REPORT", self.calendar_path(username, calendar_id), body,
                            {"Depth": "1", "Content-Type": "application/xml"})
        assert response.status == 207, (response.status, response.body)
        from lxml import etree

        tree = etree.fromstring(response.body)
        ns = {"d": "DAV:", "c": "urn:ietf:params:xml:ns:caldav"}
        found: dict[str, str] = {}
        for item in tree.findall("d:response", ns):
            data = item.find(".//c:calendar-data", ns)
            if data is not None and data.text:
                found[item.findtext("d:href", namespaces=ns)] = data.text
        return found
