"""/api/v1 routes: subscribed calendars (ICS feeds). Their `calendar_id` goes into `conflict_calendar_ids`."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user, login_required

from ... import subscriptions
from .blueprint import api, error, found
from .serialisers import subscription_json


@api.get("/subscriptions")
@login_required
def list_subscriptions():
    """[{"id", "calendar_id", "name", "url" (masked), "role", "status", "last_synced_at", "last_error", …}]."""
    return jsonify([subscription_json(sub) for sub in subscriptions.subscriptions_of(current_user)])


@api.post("/subscriptions")
@login_required
def add_subscription():
    """Body {"name", "url"}: the feed is fetched once to check it; 201 with the subscription."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error(422, 'Send JSON like {"name": "Holidays", "url": "webcal://example.com/holidays.ics"}.')
    try:
        sub = subscriptions.add_subscription(current_user, body.get("name"), body.get("url"))
    except subscriptions.SubscriptionProblem as problem:
        return jsonify(error="invalid", message=str(problem), fields=problem.errors), 422
    return jsonify(subscription_json(sub)), 201


@api.delete("/subscriptions/<id:subscription_id>")
@login_required
def delete_subscription(subscription_id: int):
    subscriptions.remove_subscription(found(subscriptions.subscription_of(current_user, subscription_id),
                                            "subscribed calendar"))
    return "", 204
