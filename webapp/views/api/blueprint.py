"""The `api` blueprint and its one error shape; the area modules add their routes to it."""
from __future__ import annotations

from flask import Blueprint, jsonify

api = Blueprint("api", __name__, url_prefix="/api/v1")


def error(status: int, message: str, code: str = "invalid"):
    """A JSON error answer: {"error": code, "message": words a person can act on}."""
    return jsonify(error=code, message=message), status
