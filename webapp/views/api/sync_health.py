"""/api/v1 routes: the sync health of every calendar that blocks the user's time."""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user, login_required

from ...sync.health import health_of
from .blueprint import api
from .serialisers import sync_health_json


@api.get("/sync-health")
@login_required
def sync_health():
    """[{"account", "calendar", "role", "last_success_at", "age_seconds", "objects", "last_run_requests",
    "last_error", "next_try_at"}], one per Primary Calendar, Check for Conflicts calendar and feed."""
    return jsonify([sync_health_json(row) for row in health_of(current_user)])
