"""/api/v1 routes: the user's connected iCloud accounts."""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user, login_required

from .blueprint import api
from .serialisers import accounts_json


@api.get("/accounts")
@login_required
def accounts():
    """[{"id", "email", "status", "last_synced_at", "calendars": [{"id", "name", "color", "role"}]}]."""
    return jsonify(accounts_json(current_user))
