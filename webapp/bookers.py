"""The person booking on the public page: what they typed, and how many bookings they may hold.

Limits are counted in the database (durable, shared by every process): pending bookings of one e-mail
with one owner (BOOKING_LIMIT_PER_EMAIL) and bookings made from one client address in the last hour
(BOOKING_LIMIT_PER_ADDRESS_PER_HOUR, over every owner). `0` turns a limit off.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from flask import current_app

from .models import Appointment, User, utcnow


@dataclass(frozen=True)
class Booker:
    name: str = ""
    email: str = ""
    note: str = ""
    timezone: str | None = None  # the zone the booking page showed
    address: str | None = None  # the client's IP address


def typed(booker: Booker | None, name: str, email: str) -> Booker:
    """The booker with the name as typed and the e-mail as stored (lower case)."""
    return replace(booker or Booker(), name=name.strip()[:255], email=email)


def fields(booker: Booker | None) -> dict:
    """The Appointment columns that record a booker (none for the owner's own appointments)."""
    if booker is None:
        return {}
    return {"booker_name": booker.name, "booker_email": booker.email, "booker_note": booker.note[:2000] or None,
            "booker_timezone": booker.timezone, "booker_address": booker.address}


def limit_message(owner: User, booker: Booker, now: datetime | None = None) -> str | None:
    """Why this booker may not book now, or None. Run inside the booking's locked transaction."""
    config = current_app.config
    current = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(tzinfo=None)
    per_email = int(config.get("BOOKING_LIMIT_PER_EMAIL") or 0)
    if per_email:
        pending = Appointment.live().where(Appointment.owner == owner.id, Appointment.booker_email == booker.email,
                                           Appointment.end_utc > current).count()
        if pending >= per_email:
            return (f"{booker.email} already has {pending} upcoming bookings with {owner.name}, the most allowed. "
                    "Cancel one through the link in its e-mail, or contact them directly.")
    per_address = int(config.get("BOOKING_LIMIT_PER_ADDRESS_PER_HOUR") or 0)
    if per_address and booker.address:
        rows = Appointment.select().where(Appointment.booker_address == booker.address,
                                          Appointment.created_at > utcnow() - timedelta(hours=1))
        # one booking of a team is one row per member: counted once, by its group
        recent = (rows.where(Appointment.booking_group.is_null()).count()
                  + rows.select(Appointment.booking_group).where(Appointment.booking_group.is_null(False))
                  .distinct().count())
        if recent >= per_address:
            return (f"Too many bookings from your network in the last hour (at most {per_address}). "
                    "Please try again later.")
    return None
