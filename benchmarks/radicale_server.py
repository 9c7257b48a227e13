"""Radicale as a separate process for benchmarks, counting the requests it serves.

Run: python -m benchmarks.radicale_server PORT STORE_DIR HTPASSWD_FILE
`GET /__requests` answers "<requests served so far> <seconds spent answering them>" (itself not
counted), so a client's own time is the total minus the server's; `POST /__requests` resets both.
"""
from __future__ import annotations

import sys
import threading
import time

import radicale
import radicale.config
from werkzeug.serving import WSGIRequestHandler, make_server


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


def build(store: str, htpasswd: str):
    configuration = radicale.config.load()
    configuration.update(
        {
            "auth": {"type": "htpasswd", "htpasswd_filename": htpasswd, "htpasswd_encryption": "plain",
                     "delay": "0.001"},
            "rights": {"type": "owner_only"},
            "storage": {"filesystem_folder": store},
            "web": {"type": "none"},
            "logging": {"level": "warning", "mask_passwords": "True"},
        },
        "bench",
        privileged=True,
    )
    inner = radicale.Application(configuration)
    lock = threading.Lock()
    count = [0, 0.0]

    def app(environ, start_response):
        if environ.get("PATH_INFO") == "/__requests":
            with lock:
                if environ["REQUEST_METHOD"] == "POST":
                    count[:] = [0, 0.0]
                body = f"{count[0]} {count[1]:.6f}".encode()
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
            return [body]
        if environ.get("HTTP_X_RIG") == "1":
            return inner(environ, start_response)
        started = time.perf_counter()
        answer = list(inner(environ, start_response))  # Radicale builds the whole answer before sending
        with lock:
            count[0] += 1
            count[1] += time.perf_counter() - started
        return answer

    return app


def main() -> None:
    port, store, htpasswd = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    server = make_server("127.0.0.1", port, build(store, htpasswd), threaded=True, request_handler=_Quiet)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
