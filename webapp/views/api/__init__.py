"""JSON API under /api/v1, authenticated by a Bearer token (or the session cookie, with CSRF).

One module an area; each adds its routes to the `api` blueprint (blueprint.py).
"""
from __future__ import annotations

from pathlib import Path

from flask import jsonify, send_from_directory
from flask_login import current_user, login_required

from . import accounts, calendar, configuration, event_types, teams  # noqa: F401  (routes register on import)
from .blueprint import api  # noqa: F401  (the app registers it)


@api.get("/me")
@login_required
def me():
    from .serialisers import me_json

    return jsonify(me_json(current_user))


@api.get("/openapi.json")
def openapi():
    """The OpenAPI description of this API (public: it holds no data)."""
    return send_from_directory(Path(__file__).parent, "openapi.json", mimetype="application/json")
