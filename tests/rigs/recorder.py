"""A host a CalDAV server should never be able to send Slotwise to: it records every request it gets.

It listens on a second loopback address (127.0.0.2, not the 127.0.0.1 every rig uses) and answers any
request with a 207 that looks like a calendar home listing one calendar, so a client that followed it
would go on talking to it.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from werkzeug.serving import make_server

from tests.rigs.quiet import QuietHandler

ADDRESS = "127.0.0.2"  # Linux answers on all of 127/8

ANSWER = b"""<?xml version="1.0" encoding="utf-8"?>
<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<response><href>/stolen/</href><propstat><prop><resourcetype><collection/><C:calendar/></resourcetype>
<displayname>Stolen</displayname><current-user-principal><href>/stolen/</href></current-user-principal>
<C:calendar-home-set><href>/stolen/</href></C:calendar-home-set></prop>
<status>HTTP/1.1 200 OK</status></propstat></response>
</multistatus>"""


@dataclass
class Received:
    method: str
    path: str
    credentials: bool  # an Authorization header came with it


@dataclass
class Recorder:
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._server = make_server(ADDRESS, 0, self, threaded=True, request_handler=QuietHandler)
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def origin(self) -> str:
        return f"http://{ADDRESS}:{self.port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __call__(self, environ, start_response):
        with self.lock:
            self.received.append(Received(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""),
                                          "HTTP_AUTHORIZATION" in environ))
        start_response("207 Multi-Status", [("Content-Type", "application/xml; charset=utf-8"),
                                            ("Content-Length", str(len(ANSWER)))])
        return [ANSWER]
