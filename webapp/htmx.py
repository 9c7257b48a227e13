"""Small helpers for HTMX requests."""
from __future__ import annotations

from flask import Flask, Response, request


def is_partial() -> bool:
    """True when htmx asked for a fragment (and not a boosted full page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def trigger(response: Response, event: str) -> Response:
    response.headers["HX-Trigger"] = event
    return response


def init_app(app: Flask) -> None:
    @app.after_request
    def _vary(response: Response) -> Response:
        response.vary.add("HX-Request")
        return response
