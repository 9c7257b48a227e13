"""/api/v1 routes: a calendar's rules (PATCH /calendars/<id>) and "Why is this time busy?" (/availability/explain)."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user, login_required

from ... import busy, event_types
from ...calendars import rules
from ...models import User
from ...times import BadTime, parse_instant, zone_of
from .blueprint import api, error, found
from .serialisers import calendar_json, explanation_json


def _me() -> User:
    return User.get_by_id(current_user.id)


@api.patch("/calendars/<id:calendar_id>")
@login_required
def patch_calendar(calendar_id: int):
    """Body: any of {"all_day_events_block", "travel_time_blocks", "tentative_blocks"}: true or false."""
    cal = found(busy.calendar_of(_me(), calendar_id), "calendar")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error(422, 'Send a JSON object such as {"all_day_events_block": false}.')
    try:
        busy.set_rules(cal, body)
    except rules.Invalid as exc:
        return jsonify(error="invalid", message=str(exc), fields=exc.errors), 422
    return jsonify(calendar_json(cal))


@api.get("/availability/explain")
@login_required
def explain_availability():
    """?start=<ISO 8601 with offset>&event_type=<slug or id>: what decides whether that start is offered."""
    user = _me()
    tz = zone_of(user)
    try:
        start = parse_instant(request.args.get("start"), tz, allow_date=False)
    except BadTime as exc:
        return error(422, str(exc))
    kind = None
    if request.args.get("event_type"):
        kind = event_types.find(user, request.args["event_type"])
        if kind is None:
            return error(422, f"You have no event type {request.args['event_type']!r} (give its slug or id).")
    return jsonify(explanation_json(busy.explain_time(user, start, kind), tz))
