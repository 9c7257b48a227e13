"""/api/v1 routes: event types and date overrides (time off included)."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user, login_required

from ... import date_overrides, event_types
from ...models import DateOverride, EventType, User
from .blueprint import api, error, found
from .serialisers import date_override_json, event_type_json


def _me() -> User:
    return User.get_by_id(current_user.id)


def _body() -> dict | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


NOT_JSON = "Send a JSON object with Content-Type: application/json."


def _invalid(exc: event_types.Invalid):
    """422 with every field's message in `fields`, besides the usual error and message."""
    return jsonify(error="invalid", message=str(exc), fields=exc.errors), 422


@api.get("/event-types")
@login_required
def list_event_types():
    return jsonify([event_type_json(kind) for kind in event_types.types_of(_me())])


def write_type(change, status: int = 200, shape=event_type_json):
    """Apply `change(body)` to the JSON body: the event type it returns as JSON (`shape`), or the error."""
    body = _body()
    if body is None:
        return error(400, NOT_JSON, "bad_request")
    try:
        kind = change(body)
    except event_types.Invalid as exc:
        return _invalid(exc)
    return jsonify(shape(kind)), status


@api.post("/event-types")
@login_required
def create_event_type():
    return write_type(lambda body: event_types.create(_me(), body), 201)


def _kind(type_id: int) -> EventType:
    """The signed-in user's event type with this id; a JSON 404 otherwise."""
    return found(EventType.of(current_user.id).where(EventType.id == type_id).first(),
                 "event type")


@api.get("/event-types/<id:type_id>")
@login_required
def get_event_type(type_id: int):
    return jsonify(event_type_json(_kind(type_id)))


@api.patch("/event-types/<id:type_id>")
@login_required
def patch_event_type(type_id: int):
    kind = _kind(type_id)
    return write_type(lambda body: event_types.update(kind, body))


@api.delete("/event-types/<id:type_id>")
@login_required
def delete_event_type(type_id: int):
    try:
        event_types.delete(_kind(type_id))
    except event_types.Invalid as exc:
        return _invalid(exc)
    return "", 204


@api.get("/date-overrides")
@login_required
def list_date_overrides():
    return jsonify([date_override_json(row) for row in DateOverride.of(_me())])


@api.post("/date-overrides")
@login_required
def create_date_override():
    body = _body()
    if body is None:
        return error(400, NOT_JSON, "bad_request")
    try:
        row = date_overrides.create(_me(), body)
    except date_overrides.Invalid as exc:
        return error(422, str(exc))
    return jsonify(date_override_json(row)), 201


@api.delete("/date-overrides/<id:override_id>")
@login_required
def delete_date_override(override_id: int):
    found(date_overrides.of(_me(), override_id), "date override").delete_instance()
    return "", 204
