"""The `api` blueprint and its one error shape; the area modules add their routes to it."""
from __future__ import annotations

from typing import TypeVar

from flask import Blueprint, abort, jsonify

api = Blueprint("api", __name__, url_prefix="/api/v1")
T = TypeVar("T")


def error(status: int, message: str, code: str = "invalid"):
    """A JSON error answer: {"error": code, "message": words a person can act on}."""
    return jsonify(error=code, message=message), status


def found(row: T | None, what: str) -> T:
    """The row a user's own query found, or a JSON 404 naming `what` (webapp/errors.py shapes it)."""
    if row is None:
        abort(404, f"No {what} of yours has this id.")
    return row
