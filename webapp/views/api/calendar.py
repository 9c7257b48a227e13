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
from ... import calendar_week, event_types, teams
from ...models import Appointment, User
from ...times import BadTime, parse_instant, zone_of
from .blueprint import api, error, found
from .serialisers import appointment_json, availability_json, blocked_slot_json, item_json, team_availability_json
from .teams import visible_team

MAX_CALENDAR_DAYS = 366
MAX_AVAILABILITY_DAYS = 62


def _me() -> User:
    return User.get_by_id(current_user.id)


def _instant(text: str, tz, *, allow_date: bool = True) -> datetime:
    try:
        return parse_instant(text, tz, allow_date=allow_date)
    except BadTime as exc:
        raise svc.BookingError(str(exc)) from None


def _range(max_days: int, end_inclusive_days: bool = False, tz=None) -> tuple[datetime, datetime]:
    tz = tz or zone_of(current_user)
    if not request.args.get("start") or not request.args.get("end"):
        raise svc.BookingError("Give both start and end, for example ?start=2026-06-01&end=2026-06-08.")
    start = _instant(request.args["start"], tz)
    end = _instant(request.args["end"], tz)
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
    tz = zone_of(current_user)
    for key in ("start", "end"):
        if not isinstance(body.get(key), str):
            raise svc.BookingError(f'"{key}" is required: an ISO 8601 date-time with offset.', "body")
    return _instant(body["start"], tz, allow_date=False), _instant(body["end"], tz, allow_date=False)


def _timed_body(body: dict | None = None) -> tuple[dict, datetime, datetime, str]:
    """The JSON body of a new appointment or Blocked Slot, with its start, end and title checked."""
    body = _body() if body is None else body
    start, end = _times(body)
    title = body.get("title") or ""
    if not isinstance(title, str):
        raise svc.BookingError('"title" is text.', "body")
    return body, start, end, title


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
    return jsonify(items=[item_json(item) for item in calendar_week.calendar_items(_me(), start, end)])


@api.get("/availability")
@login_required
def availability():
    if request.args.get("team") is not None:
        return team_availability()
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
    try:
        duration = svc.parse_minutes(raw) if raw else kind.duration_minutes
    except svc.BookingError as exc:
        return error(400, str(exc), "bad_request")
    slots = svc.slots_for(user, start, end, duration_minutes=duration, event_type=kind)
    return jsonify(availability_json(user, zone_of(user), duration, slots, kind))


def team_availability():
    """?team=<slug>&event_type=<slug or id>: the team type's offered starts; dates in the team's zone."""
    team = visible_team(request.args["team"])
    kind = teams.find_type(team, request.args.get("event_type") or "")
    if kind is None:
        return error(400, f"{team.name} has no event type {request.args.get('event_type', '')!r} "
                          "(give its slug or id as event_type).", "bad_request")
    try:
        start, end = _range(MAX_AVAILABILITY_DAYS, end_inclusive_days=True, tz=teams.zone_of_team(team))
    except svc.BookingError as exc:
        return _bad(exc)
    return jsonify(team_availability_json(team, kind, teams.slots(kind, start, end)))


def _contact(body: dict) -> tuple[str | None, str | None]:
    contact = body.get("contact")
    if contact is not None and not isinstance(contact, dict):
        raise svc.BookingError('"contact" is an object: {"name": ..., "email": ...}.', "body")
    contact = contact or {}
    name, email = contact.get("name"), contact.get("email")
    if (name is not None and not isinstance(name, str)) or (email is not None and not isinstance(email, str)):
        raise svc.BookingError("The contact's name and e-mail are text.", "body")
    return name, email


def book_team(body: dict):
    """A team booking: {"team", "event_type", "start", "contact"?}; without a contact, the caller books for themselves."""
    team = visible_team(body["team"])
    kind = teams.find_type(team, body.get("event_type"))
    if kind is None:
        raise svc.BookingError(f"{team.name} has no event type {body.get('event_type')!r} (give its slug or id).",
                               "event_type")
    if not isinstance(body.get("start"), str):
        raise svc.BookingError('"start" is required: an ISO 8601 date-time with offset.', "body")
    start = _instant(body["start"], teams.zone_of_team(team), allow_date=False)
    if body.get("end") is not None:
        end = _instant(body["end"], teams.zone_of_team(team), allow_date=False) if isinstance(body["end"], str) \
            else None
        if end is None or end - start != timedelta(minutes=kind.duration_minutes):
            raise svc.BookingError(f"{kind.title} lasts {kind.duration_minutes} minutes: leave out end, "
                                   "or make it that long after the start.", "end")
    name, email = _contact(body)
    if not (name or email):
        me = _me()
        name, email = me.name, me.email
    made = teams.book(kind, start, name or "", email or "", public=False)
    return jsonify(appointment_json(made[0])), 201


@api.post("/appointments")
@login_required
def create_appointment():
    try:
        body = request.get_json(silent=True)
        if isinstance(body, dict) and body.get("team") is not None:
            return book_team(body)
        user = _me()
        body, kind = _body(), None
        if body.get("event_type") is not None:
            kind = event_types.find(user, body["event_type"])
            if kind is None:
                raise svc.BookingError(f"You have no event type {body['event_type']!r} (give its slug or id).",
                                       "event_type")
            if body.get("end") is None and isinstance(body.get("start"), str):
                # the type says how long it lasts
                start = _instant(body["start"], zone_of(user), allow_date=False)
                body = {**body, "end": (start + timedelta(minutes=kind.duration_minutes)).isoformat()}
        body, start, end, title = _timed_body(body)
        name, email = _contact(body)
        appointment = svc.create_appointment(user, start, end, title, name, email, event_type=kind)
    except svc.BookingError as exc:
        return _bad(exc)
    return jsonify(appointment_json(appointment)), 201


def _appointment(appointment_id: int) -> Appointment:
    """The caller's own appointment, or any copy of a booking of a team they belong to (admins: any team)."""
    me = _me()
    own = svc.appointment_of(me, appointment_id)
    if own is None:
        copy = Appointment.get_or_none((Appointment.id == appointment_id) & Appointment.team.is_null(False))
        if copy is not None and (me.is_admin or teams.is_member(copy.team, me)):
            own = copy
    return found(own, "appointment")


@api.get("/appointments/<id:appointment_id>")
@login_required
def get_appointment(appointment_id: int):
    appointment = _appointment(appointment_id)
    return jsonify(appointment_json(appointment))


@api.patch("/appointments/<id:appointment_id>")
@login_required
def reschedule_appointment(appointment_id: int):
    appointment = _appointment(appointment_id)
    try:
        start, end = _times(_body())
        svc.reschedule(appointment, start, end)
    except svc.BookingError as exc:
        return _bad(exc)
    return jsonify(appointment_json(Appointment.get_by_id(appointment.id)))


@api.delete("/appointments/<id:appointment_id>")
@login_required
def cancel_appointment(appointment_id: int):
    appointment = _appointment(appointment_id)
    svc.cancel(appointment)
    return "", 204


@api.post("/blocked-slots")
@login_required
def create_blocked_slot():
    try:
        _, start, end, title = _timed_body()
        slot = svc.create_blocked_slot(_me(), start, end, title)
    except svc.BookingError as exc:
        return _bad(exc)
    return jsonify(blocked_slot_json(slot)), 201


@api.delete("/blocked-slots/<id:slot_id>")
@login_required
def delete_blocked_slot(slot_id: int):
    slot = found(svc.blocked_slot_of(_me(), slot_id), "Blocked Slot")
    try:
        svc.delete_blocked_slot(slot)
    except svc.ReadOnly as exc:
        return _bad(exc)
    return "", 204
