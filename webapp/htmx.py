"""HTMX requests and answers: every `HX-*` header Slotwise reads or sets goes through here.

The convention: a form with errors answers 422 with the form fragment, which htmx swaps in like a 200
(the `responseHandling` setting in base.html); a change answers with its fragment and, where other
widgets show the same data, an event (`trigger`) that they listen for with `hx-trigger="<event> from:body"`.
"""
from __future__ import annotations

from flask import Flask, Response, current_app, make_response, request

FORM_ERRORS = 422  # the status of a form re-rendered with its messages
TAKEN = 409  # the same, when the time asked for is no longer free (swapped in like a 422)


def is_htmx() -> bool:
    """True for any request htmx sent (fragments and boosted pages alike)."""
    return request.headers.get("HX-Request") == "true"


def is_partial() -> bool:
    """True when htmx asked for a fragment (and not a boosted full page)."""
    return is_htmx() and request.headers.get("HX-Boosted") != "true"


def trigger(body, event: str) -> Response:
    """The answer with an event for the widgets that listen for it."""
    response = make_response(body)
    response.headers["HX-Trigger"] = event
    return response


def retarget(body, target: str, swap: str = "outerHTML") -> Response:
    """Swap the answer into `target` instead of the element that asked."""
    response = make_response(body)
    response.headers["HX-Retarget"] = target
    response.headers["HX-Reswap"] = swap
    return response


def redirect(url: str, status: int = 200) -> Response:
    """Make htmx load `url` as a whole page (a plain 3xx would be followed and swapped in as a fragment)."""
    response = current_app.response_class(status=status)
    response.headers["HX-Redirect"] = url
    return response


def init_app(app: Flask) -> None:
    @app.after_request
    def _vary(response: Response) -> Response:
        # one URL can answer a page or a fragment: caches must keep them apart
        response.vary.add("HX-Request")
        return response
