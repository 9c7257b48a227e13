"""Radicale as a separate process for benchmarks, counting the requests it serves.

Run: python -m benchmarks.radicale_server PORT STORE_DIR HTPASSWD_FILE
`GET /__requests` answers the number of requests served so far (not counted itself);
`POST /__requests` resets it.
"""
from __future__ import annotations

import sys
import threading

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
    count = [0]

    def app(environ, start_response):
        if environ.get("PATH_INFO") == "/__requests":
            with lock:
                if environ["REQUEST_METHOD"] == "POST":
                    count[0] = 0
                body = str(count[0]).encode()
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
            return [body]
        if environ.get("HTTP_X_RIG") != "1":
            with lock:
                count[0] += 1
        return inner(environ, start_response)

    return app


def main() -> None:
    port, store, htpasswd = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    server = make_server("127.0.0.1", port, build(store, htpasswd), threaded=True, request_handler=_Quiet)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
