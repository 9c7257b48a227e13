"""A werkzeug request handler that does not print a line per request."""
from werkzeug.serving import WSGIRequestHandler


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass
