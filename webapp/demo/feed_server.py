"""The demo's subscribed calendar: one .ics file served on 127.0.0.1 by http.server in a thread.

http.server answers `If-Modified-Since` with 304 from the file's time, so the demo's feed costs one
request answered 304 per sync, as a real feed with Last-Modified does.
"""
from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the path is the feed's address: never printed
        pass


class FeedServer:
    def __init__(self, folder: Path):
        handler = functools.partial(_Quiet, directory=str(folder))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, name="slotwise-demo-feed", daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
