"""A real HTTP(S) server on 127.0.0.1 serving .ics files from a folder that tests change while it runs.

It honours conditional GETs the way feed servers do: an `ETag` (a digest of the file) answered 304 to a
matching `If-None-Match`, and `Last-Modified` (the file's mtime) answered 304 to an `If-Modified-Since`
not older than it. Every request is recorded (path, headers, status), so tests count them. A path can be
given another behaviour: a status, a content type, a delay before answering, a redirect.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import ssl
import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    status: int


@dataclass
class Behaviour:
    status: int = 200
    content_type: str = "text/calendar; charset=utf-8"
    delay: float = 0.0
    location: str | None = None
    etag: bool = True
    last_modified: bool = True
    headers: dict[str, str] = field(default_factory=dict)


class FeedServer:
    def __init__(self, folder: Path, *, tls: ssl.SSLContext | None = None):
        self.folder = folder
        self.seen: list[Seen] = []
        self.behaviour: dict[str, Behaviour] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self.scheme = "https" if tls is not None else "http"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, name: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}/{name}"

    def write(self, name: str, text: str, *, mtime: float | None = None) -> None:
        path = self.folder / name
        path.write_text(text, encoding="utf-8", newline="")
        stamp = mtime if mtime is not None else time.time()
        os.utime(path, (stamp, stamp))

    def requests_to(self, name: str) -> list[Seen]:
        return [s for s in self.seen if s.path == f"/{name}"]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                name = self.path.split("?", 1)[0].lstrip("/")
                how = server.behaviour.get(name, Behaviour())
                status = self._answer(name, how)
                server.seen.append(Seen(self.path, dict(self.headers.items()), status))

            def _answer(self, name: str, how: Behaviour) -> int:
                if how.delay:
                    time.sleep(how.delay)
                if how.location:
                    self._send(how.status if how.status != 200 else 302, b"", {"Location": how.location})
                    return how.status if how.status != 200 else 302
                path = server.folder / name
                if how.status != 200 or not path.is_file():
                    status = how.status if how.status != 200 else 404
                    self._send(status, b"error", {"Content-Type": "text/plain", **how.headers})
                    return status
                body = path.read_bytes()
                tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                modified = dt.datetime.fromtimestamp(int(path.stat().st_mtime), dt.timezone.utc)
                headers = {"Content-Type": how.content_type, **how.headers}
                if how.etag:
                    headers["ETag"] = tag
                if how.last_modified:
                    headers["Last-Modified"] = format_datetime(modified, usegmt=True)
                if self._unchanged(how, tag, modified):
                    self._send(304, b"", {k: v for k, v in headers.items() if k != "Content-Type"})
                    return 304
                self._send(200, body, headers)
                return 200

            def _unchanged(self, how: Behaviour, tag: str, modified: dt.datetime) -> bool:
                match = self.headers.get("If-None-Match")
                if match is not None:
                    return how.etag and match == tag
                since = self.headers.get("If-Modified-Since")
                if since and how.last_modified:
                    try:
                        return modified <= parsedate_to_datetime(since)
                    except (TypeError, ValueError):
                        return False
                return False

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    try:
                        self.wfile.write(body)
                    except (BrokenPipeError, ConnectionResetError):
                        pass

        return Handler
