"""A fault-injecting HTTP proxy between Slotwise and a CalDAV rig.

Faults are queued per request pattern (method and a substring of the path) and each applies to the
next `times` matching requests (-1: until cleared):

- ``status``: answer with that status (and ``Retry-After`` when given) without forwarding;
- ``delay``: wait ``seconds`` (past the client's timeout), then forward;
- ``reset_before``: reset the connection without forwarding;
- ``reset_after``: forward (the server applies the request), then reset the connection;
- ``truncate``: forward, then cut the answer's body in half;
- ``malformed``: forward, then replace the answer's body with something that is not XML;
- ``bad_ics``: forward, then make every calendar-data in the answer unparseable;
- ``cap_multiget``: forward a calendar-multiget, then keep only the first ``keep`` responses of its answer
  (as Zoho does past 1,000: a 207 with the rest silently missing); other requests pass untouched;
- ``hold``: forward, set the fault's ``forwarded`` event, then hold the answer until ``release`` is set
  (so a test can kill the client after the server applied a write but before it heard back);
- ``rewrite``: forward, then replace ``pattern`` (a bytes regex) by ``replacement`` in the answer's body
  (a server naming another host in an href);
- ``redirect``: answer ``status`` (a 3xx) with ``Location: location`` without forwarding;
- ``oversize``: forward, then stream the answer padded with an XML comment to ``size`` bytes, in 64 KB
  chunks, with or without a ``Content-Length`` (``declare_length``); ``sent`` counts the bytes the
  client took before it hung up.
"""
from __future__ import annotations

import http.client
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from werkzeug.serving import make_server

from tests.rigs.quiet import QuietHandler

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization",
              "proxy-authenticate", "content-length", "host"}


@dataclass
class Fault:
    kind: str
    method: str | None = None
    path_contains: str | None = None
    status: int = 503
    retry_after: str | None = None
    seconds: float = 0.0
    times: int = 1
    keep: int = 0
    hits: int = 0
    forwarded: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    pattern: bytes = b""
    replacement: bytes = b""
    location: str = ""
    size: int = 0
    declare_length: bool = False
    sent: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times == 0:
            return False
        if self.method and self.method != method:
            return False
        return not self.path_contains or self.path_contains in path


@dataclass
class FaultProxy:
    upstream: str  # e.g. http://127.0.0.1:1234/
    faults: list[Fault] = field(default_factory=list)
    seen: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        parts = urlsplit(self.upstream)
        self._host, self._port = parts.hostname, parts.port
        self._server = make_server("127.0.0.1", 0, self, threaded=True, request_handler=QuietHandler)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        self.clear()
        self._server.shutdown()
        self._server.server_close()

    # --- control --------------------------------------------------------------------------------
    def inject(self, kind: str, **kw) -> Fault:
        fault = Fault(kind, **kw)
        with self.lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self.lock:
            for fault in self.faults:
                fault.release.set()
            self.faults.clear()

    def _take(self, method: str, path: str, body: bytes = b"") -> Fault | None:
        with self.lock:
            self.seen.append((method, path))
            for fault in self.faults:
                if fault.kind == "cap_multiget" and b"calendar-multiget" not in body:
                    continue
                if fault.matches(method, path):
                    fault.hits += 1
                    if fault.times > 0:
                        fault.times -= 1
                    return fault
        return None

    # --- WSGI -----------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("RAW_URI") or environ.get("PATH_INFO", "/")
        if environ.get("QUERY_STRING") and "?" not in path:
            path += "?" + environ["QUERY_STRING"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        fault = self._take(method, path, body)

        if fault and fault.kind == "status":
            headers = [("Content-Type", "text/plain")]
            if fault.retry_after is not None:
                headers.append(("Retry-After", fault.retry_after))
            if fault.status == 401:
                headers.append(("WWW-Authenticate", 'Basic realm="MMCalDav"'))
            text = f"injected {fault.status}".encode()
            headers.append(("Content-Length", str(len(text))))
            start_response(f"{fault.status} Injected", headers)
            return [text]
        if fault and fault.kind == "redirect":
            start_response(f"{fault.status} Moved", [("Location", fault.location), ("Content-Length", "0")])
            return [b""]
        if fault and fault.kind == "reset_before":
            self._reset(environ)
            return []
        if fault and fault.kind == "delay":
            time.sleep(fault.seconds)

        status, headers, payload = self._forward(method, path, environ, body)
        if fault and fault.kind == "hold":
            fault.forwarded.set()
            fault.release.wait(timeout=60)
        if fault and fault.kind == "reset_after":
            self._reset(environ)
            return []
        if fault and fault.kind == "truncate":
            payload = payload[: len(payload) // 2]
        elif fault and fault.kind == "malformed":
            payload = b"<html><body>Service temporarily unavailable</body"
        elif fault and fault.kind == "bad_ics":
            payload = re.sub(rb"BEGIN:VCALENDAR.*?END:VCALENDAR", b"BEGIN:VCALENDAR\r\nTHIS IS NOT ICALENDAR\r\n",
                             payload, flags=re.S)
        elif fault and fault.kind == "cap_multiget":
            payload = _keep_responses(payload, fault.keep)
        elif fault and fault.kind == "rewrite":
            payload = re.sub(fault.pattern, fault.replacement, payload)
        elif fault and fault.kind == "oversize":
            if fault.declare_length:
                headers.append(("Content-Length", str(max(fault.size, len(payload)))))
            start_response(status, headers)
            return self._padded(fault, payload)
        headers.append(("Content-Length", str(len(payload))))
        start_response(status, headers)
        return [payload]

    def _forward(self, method: str, path: str, environ, body: bytes):
        conn = http.client.HTTPConnection(self._host, self._port, timeout=30)
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_") and key[5:].replace("_", "-").lower() not in HOP_BY_HOP
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        headers["Accept-Encoding"] = "identity"  # bodies stay plain, so faults can cut or replace them
        try:
            conn.request(method, path, body=body or None, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            out = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
            return f"{response.status} {response.reason}", out, payload
        finally:
            conn.close()

    @staticmethod
    def _padded(fault: Fault, payload: bytes):
        """The answer, then an XML comment up to `fault.size` bytes, made as it is sent (never held whole)."""
        filler = b"x" * (64 * 1024)
        remaining = fault.size - len(payload) - len(b"<!---->")
        pieces = [payload, b"<!--"]
        while pieces or remaining > 0:
            if pieces:
                piece = pieces.pop(0)
            else:
                piece, remaining = filler[:remaining], remaining - len(filler)
            yield piece
            fault.sent += len(piece)  # counted once the server handed it on, so it resumed us
        yield b"-->"
        fault.sent += 3

    @staticmethod
    def _reset(environ) -> None:
        sock: socket.socket | None = environ.get("werkzeug.socket")
        if sock is None:
            return
        # SO_LINGER with a zero timeout makes close() send RST: the client sees a reset connection.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()


def _keep_responses(payload: bytes, keep: int) -> bytes:
    """A multistatus with only its first `keep` response elements."""
    from lxml import etree

    tree = etree.fromstring(payload)
    for response in tree.findall("{DAV:}response")[keep:]:
        tree.remove(response)
    return etree.tostring(tree, xml_declaration=True, encoding="utf-8")
