"""Self-service pages behind the links in every booker e-mail: see, reschedule or cancel one booking.

A link carries a signed token (webapp.mail.tokens). It stops working once the appointment has passed
or was cancelled, and within SELF_SERVICE_CUTOFF_HOURS of the start; the page then says why.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from .. import appointments as svc
from .. import teams
from ..htmx import FORM_ERRORS
from ..mail.tokens import appointment_uuid_of
from ..models import Appointment
from ..times import UTC, BadTime, aware, is_zone, parse_day, parse_instant, zone_named, zone_names, zone_of

bp = Blueprint("manage", __name__, url_prefix="/manage")


def _appointment(token: str) -> Appointment:
    uuid = appointment_uuid_of(token)
    appointment = Appointment.get_or_none(Appointment.uuid == uuid) if uuid else None
    if appointment is None:
        abort(404, "This link is not valid. Use the newest e-mail about your booking, or contact the person you booked.")
    return appointment


def why_closed(appointment: Appointment, now: datetime) -> str | None:
    """Why this booking can no longer be changed online, or None when it can."""
    owner = appointment.owner
    if appointment.status == Appointment.CANCELLED:
        return "This appointment was cancelled, so it cannot be changed any more."
    start = appointment.start_utc.replace(tzinfo=UTC)
    if start <= now:
        return "This appointment has already begun or taken place."
    hours = float(current_app.config["SELF_SERVICE_CUTOFF_HOURS"])
    if start - now < timedelta(hours=hours):
        who = f"{owner.display_name} at {owner.email}" if owner.display_name else owner.email
        return f"Changes online are possible up to {hours:g} hours before the start. Please contact {who}."
    return None


def _zone(appointment: Appointment) -> ZoneInfo:
    name = request.values.get("tz") or appointment.booker_timezone or ""
    return zone_named(name) if is_zone(name) else zone_of(appointment.owner)


def _page(template: str, appointment: Appointment, token: str, status: int = 200, **extra):
    tz = _zone(appointment)
    closed = why_closed(appointment, datetime.now(UTC))
    return render_template(
        template, appointment=appointment, owner=appointment.owner, token=token, tz=tz.key, closed=closed,
        start=aware(appointment.start_utc, tz), end=aware(appointment.end_utc, tz), **extra,
    ), status


@bp.get("/<token>")
def overview(token: str):
    return _page("manage/overview.html", _appointment(token), token)


def _day(appointment: Appointment, tz: ZoneInfo) -> date:
    day = parse_day(request.values.get("date")) or aware(appointment.start_utc, tz).date()
    return max(day, datetime.now(tz).date())


def _reschedule_page(appointment: Appointment, token: str, error: str | None = None, status: int = 200):
    tz = _zone(appointment)
    day = _day(appointment, tz)
    minutes = int((appointment.end_utc - appointment.start_utc).total_seconds() // 60)
    slots = []
    if not why_closed(appointment, datetime.now(UTC)):
        window = (datetime.combine(day, time(0), tzinfo=tz), datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz))
        current = appointment.start_utc.replace(tzinfo=UTC)
        offered = teams.group_slots(appointment, *window) if appointment.booking_group else \
            svc.slots_for(appointment.owner, *window, duration_minutes=minutes, event_type=appointment.event_type)
        slots = [s.astimezone(tz) for s in offered if s != current]
    return _page("manage/reschedule.html", appointment, token, status, day=day, slots=slots, minutes=minutes,
                 zones=zone_names(), error=error, prev_day=day - timedelta(days=1), next_day=day + timedelta(days=1))


@bp.get("/<token>/reschedule")
def reschedule(token: str):
    return _reschedule_page(_appointment(token), token)


@bp.post("/<token>/reschedule")
def reschedule_save(token: str):
    appointment = _appointment(token)
    if why_closed(appointment, datetime.now(UTC)):
        return _reschedule_page(appointment, token, status=410)
    try:
        start = parse_instant(request.form.get("start"), zone_of(appointment.owner), allow_date=False)
        length = appointment.end_utc - appointment.start_utc
        svc.reschedule(appointment, start, start + length, actor="booker")
    except (BadTime, svc.BookingError) as exc:  # a taken time too: a form with errors answers 422
        return _reschedule_page(appointment, token, error=str(exc), status=FORM_ERRORS)
    flash("Your appointment was moved. A new confirmation is on its way by e-mail.", "success")
    return redirect(url_for("manage.overview", token=token, tz=_zone(appointment).key), 303)


@bp.get("/<token>/cancel")
def cancel(token: str):
    return _page("manage/cancel.html", _appointment(token), token)


@bp.post("/<token>/cancel")
def cancel_save(token: str):
    appointment = _appointment(token)
    if why_closed(appointment, datetime.now(UTC)):
        return _page("manage/cancel.html", appointment, token, status=410)
    svc.cancel(appointment, actor="booker", reason=request.form.get("reason", ""))
    flash("Your appointment is cancelled.", "success")
    return redirect(url_for("manage.overview", token=token, tz=_zone(appointment).key), 303)
