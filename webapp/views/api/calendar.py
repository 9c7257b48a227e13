"""/api/v1 routes: the calendar, availability, appointments and Blocked Slots.

Decisions: the owner may book an appointment outside working hours (they know their day), but never
over busy time (409); only the public booking page, and a booking that names an `event_type`, are limited
to offered slots of that type (its grid, notice, horizon and limits; 409 otherwise). Dates in query
strings mean local midnight in the user's zone; /availability's `end` day is included.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import jsonify, request
from flask_login import current_user, login_required

from ... import appointments as svc
from ... import event_types
from ...ids import parse_number
from ...models import Appointment, User
from .blueprint import api, error

MAX_CALENDAR_DAYS = 366
MAX_AVAILABILITY_DAYS = 62


def _me() -> User:
    return User.get_by_id(current_user.id)


def _range(max_days: int, end_inclusive_days: bool = False) -> tuple[datetime, datetime]:
    tz = svc.zone_of(current_user)
    if not request.args.get("start") or not request.args.get("end"):
        raise svc.BookingError("Give both start and end, for example ?start=2026-06-01&end=2026-06-08.")
    start = svc.parse_instant(request.args["start"], tz)
    end = svc.parse_instant(request.args["end"], tz)
    if end_inclusive_days and len(request.args["end"].strip()) == 10:
        end = datetime.combine(end.date() + timedelta(days=1), end.time(), tzinfo=tz)
    if end <= start:
        raise svc.BookingError("The end must be after the start.", "range")
    if end - start > timedelta(days=max_days):
        raise svc.BookingError(f"Ask for at most {max_days} days at a time.", "range")
    return start, end


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise svc.BookingError("Send a JSON object with Content-Type: application/json.", "body")
    return body


def _times(body: dict) -> tuple[datetime, datetime]:
    tz = svc.zone_of(current_user)
    for key in ("start", "end"):
        if not isinstance(body.get(key), str):
            raise svc.BookingError(f'"{key}" is required: an ISO 8601 date-time with offset.', "body")
    return (svc.parse_instant(body["start"], tz, allow_date=False),
            svc.parse_instant(body["end"], tz, allow_date=False))


def _bad(exc: svc.BookingError):
    """Malformed input is 400; well-formed input that cannot be done is 422; busy time is 409."""
    if isinstance(exc, svc.SlotTaken):
        return error(409, str(exc), "not_free")
    if isinstance(exc, svc.ReadOnly):
        return error(422, str(exc), "read_only")
    if exc.field in ("end", "range", "name", "email", "title", "status", "event_type"):
        return error(422, str(exc))
    return error(400, str(exc), "bad_request")


@api.get("/calendar")
@login_required
def calendar_items():
    try:
        start, end = _range(MAX_CALENDAR_DAYS)
    except svc.BookingError as exc:
        return _bad(exc)
    return jsonify(items=[item.as_json() for item in svc.calendar_items(_me(), start, end)])


@api.get("/availability")
@login_required
def availability():
    user = _me()
    try:
        start, end = _range(MAX_AVAILABILITY_DAYS, end_inclusive_days=True)
    except svc.BookingError as exc:
        return _bad(exc)
    raw = request.args.get("duration", "")
    if raw and request.args.get("event_type"):
        return error(400, "Give event_type or duration, not both: an event type has its own duration.", "bad_request")
    kind = event_types.find(user, request.args.get("event_type")) if request.args.get("event_type") else \
        event_types.default_type(user)
    if kind is None:
        return error(400, f"You have no event type {request.args['event_type']!r} (give its slug or id).",
                     "bad_request")
    duration = kind.duration_minutes
    if raw:
        duration = parse_number(raw, 5, 1440)
        if duration is None:
            return error(400, "duration is a number of minutes between 5 and 1440.", "bad_request")
    tz = svc.zone_of(user)
    slots = svc.slots_for(user, start, end, duration_minutes=duration, event_type=kind)
    return jsonify(timezone=user.timezone, duration=duration, event_type={"id": kind.id, "slug": kind.slug},
                   slots=[s.astimezone(tz).isoformat() for s in slots])



@api.post("/appointments")
@login_required
def create_appointment():
    try:
        body = _body()
        user = _me()
        kind = None
        if body.get("event_type") is not None:
            kind = event_types.find(user, body["event_type"])
            if kind is None:
                raise svc.BookingError(f"You have no event type {body['event_type']!r} (give its slug or id).",
                                       "event_type")
            if body.get("end") is None and isinstance(body.get("start"), str):
                # the type says how long it lasts
                start = svc.parse_instant(body["start"], svc.zone_of(user), allow_date=False)
                body = {**body, "end": (start + timedelta(minutes=kind.duration_minutes)).isoformat()}
        start, end = _times(body)
        contact = body.get("contact")
        if contact is not None and not isinstance(contact, dict):
            raise svc.BookingError('"contact" is an object: {"name": ..., "email": ...}.', "body")
        contact = contact or {}
        title = body.get("title") or ""
        if not isinstance(title, str):
            raise svc.BookingError('"title" is text.', "body")
        name, email = contact.get("name"), contact.get("email")
        if (name is not None and not isinstance(name, str)) or (email is not None and not isinstance(email, str)):
            raise svc.BookingError("The contact's name and e-mail are text.", "body")
        appointment = svc.create_appointment(user, start, end, title, name, email, event_type=kind)
    except svc.BookingError as exc:
        return _bad(exc)
    return jsonify(svc.appointment_json(appointment)), 201


def _appointment(appointment_id: int) -> Appointment | None:
    return svc.appointment_of(_me(), appointment_id)


@api.get("/appointments/<id:appointment_id>")
@login_required
def get_appointment(appointment_id: int):
    appointment = _appointment(appointment_id)
    if appointment is None:
        return error(404, "No appointment of yours has this id.", "not_found")
    return jsonify(svc.appointment_json(appointment))


@api.patch("/appointments/<id:appointment_id>")
@login_required
def reschedule_appointment(appointment_id: int):
    appointment = _appointment(appointment_id)
    if appointment is None:
        return error(404, "No appointment of yours has this id.", "not_found")
    try:
        start, end = _times(_body())
        svc.reschedule(appointment, start, end)
    except svc.BookingError as exc:
        return _bad(exc)
    return jsonify(svc.appointment_json(appointment))


@api.delete("/appointments/<id:appointment_id>")
@login_required
def cancel_appointment(appointment_id: int):
    appointment = _appointment(appointment_id)
    if appointment is None:
        return error(404, "No appointment of yours has this id.", "not_found")
    svc.cancel(appointment)
    return "", 204


@api.post("/blocked-slots")
@login_required
def create_blocked_slot():
    try:
        body = _body()
        start, end = _times(body)
        title = body.get("title") or ""
        if not isinstance(title, str):
            raise svc.BookingError('"title" is text.', "body")
        slot = svc.create_blocked_slot(_me(), start, end, title)
    except svc.BookingError as exc:
        return _bad(exc)
    return jsonify(svc.blocked_slot_json(slot)), 201


@api.delete("/blocked-slots/<id:slot_id>")
@login_required
def delete_blocked_slot(slot_id: int):
    slot = svc.blocked_slot_of(_me(), slot_id)
    if slot is None:
        return error(404, "No Blocked Slot of yours has this id.", "not_found")
    try:
        svc.delete_blocked_slot(slot)
    except svc.ReadOnly as exc:
        return _bad(exc)
    return "", 204
