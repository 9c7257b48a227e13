"""/api/v1 routes: the Primary Calendar and the Check for Conflicts calendars."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user, login_required

from ... import calendar_roles as roles
from .blueprint import api, error
from .serialisers import configuration_json


def _configuration() -> dict:
    return configuration_json(roles.primary_calendar(current_user), roles.conflict_calendars(current_user))


@api.get("/calendar-configuration")
@login_required
def calendar_configuration():
    return jsonify(_configuration())


@api.put("/calendar-configuration")
@login_required
def put_calendar_configuration():
    """Body: {"primary_calendar_id": id | null, "conflict_calendar_ids": [ids]}; same rules as the page."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "primary_calendar_id" not in body or "conflict_calendar_ids" not in body:
        return error(422, 'Send JSON like {"primary_calendar_id": 12 or null, "conflict_calendar_ids": [13, 14]}.')
    raw_primary, raw_conflicts = body["primary_calendar_id"], body["conflict_calendar_ids"]
    if not isinstance(raw_conflicts, list):
        return error(422, "conflict_calendar_ids must be a list of calendar ids.")
    try:
        primary_id = None if raw_primary is None else roles.parse_calendar_id(raw_primary)
        conflict_ids = [roles.parse_calendar_id(raw) for raw in raw_conflicts]
        roles.configure_calendars(current_user, primary_id, conflict_ids)
    except roles.ConfigurationRefused as exc:
        return error(422, str(exc), "refused")
    return jsonify(_configuration())
