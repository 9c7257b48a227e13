"""Every JSON shape the API answers with, written once (field names as the issues give them).

Times are ISO 8601 with offset: stored naive-UTC values in UTC, availability slots in the user's zone.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ... import event_types, teams
from ...calendar_week import Item, blocked_item
from ...models import (Appointment, BlockedSlot, CalendarAccount, DateOverride, EventType, RemoteCalendar, Team,
                       User)
from ...times import iso


def me_json(user: User) -> dict:
    return {"id": user.id, "email": user.email, "name": user.name, "timezone": user.timezone,
            "booking_slug": user.booking_slug}


def item_json(item: Item) -> dict:
    """One thing in the calendar: an appointment or a Blocked Slot."""
    return {
        "id": item.id, "kind": item.kind, "source": item.source,
        "calendar": {"id": item.calendar.id, "name": item.calendar.name} if item.calendar else None,
        "title": item.title, "start": iso(item.start), "end": iso(item.end), "all_day": item.all_day,
    }


def blocked_slot_json(slot: BlockedSlot) -> dict:
    return item_json(blocked_item(slot))


def appointment_json(a: Appointment) -> dict:
    contact = a.contact
    return {**_team_part(a), 
        "id": a.id, "kind": "appointment", "title": a.title, "status": a.status,
        "start": iso(a.start_utc), "end": iso(a.end_utc),
        "contact": {"id": contact.id, "name": contact.name, "email": contact.email} if contact else None,
        "event_type": {"id": a.event_type_id, "slug": a.event_type.slug} if a.event_type_id else None,
        "push_state": a.push_state,
    }


def _team_part(a: Appointment) -> dict:
    """A team booking's team, every member's appointment id and the members' e-mails (live copies)."""
    if not a.booking_group:
        return {}
    copies = [c for c in Appointment.select().where(Appointment.booking_group == a.booking_group)
              .order_by(Appointment.id) if c.status == a.status]
    return {"team": {"id": a.team_id, "slug": a.team.slug} if a.team_id else None,
            "appointment_ids": [c.id for c in copies], "members": [c.owner.email for c in copies]}


def team_json(team: Team) -> dict:
    return {"id": team.id, "name": team.name, "slug": team.slug, "timezone": team.timezone}


def member_json(user: User) -> dict:
    return {"id": user.id, "email": user.email, "name": user.name, "timezone": user.timezone,
            "is_admin": user.is_admin}


def team_event_type_json(kind: EventType) -> dict:
    return {**event_type_json(kind), "team_id": kind.team_id, "kind": kind.kind,
            "member_emails": [u.email for u in teams.chosen_members(kind)]}


def team_availability_json(team: Team, kind: EventType, slots: list[datetime]) -> dict:
    tz = teams.zone_of_team(team)
    return {"timezone": team.timezone, "duration": kind.duration_minutes, "team": {"id": team.id, "slug": team.slug},
            "event_type": {"id": kind.id, "slug": kind.slug, "kind": kind.kind},
            "slots": [s.astimezone(tz).isoformat() for s in slots]}


def availability_json(user: User, tz: ZoneInfo, duration: int, slots: list[datetime], kind: EventType) -> dict:
    return {"timezone": user.timezone, "duration": duration, "event_type": {"id": kind.id, "slug": kind.slug},
            "slots": [s.astimezone(tz).isoformat() for s in slots]}


def accounts_json(user: User) -> list[dict]:
    """The user's accounts with their calendars (never the password)."""
    return [
        {
            "id": account.id,
            "email": account.email,
            "status": account.status,
            "last_synced_at": iso(account.last_synced_at),
            "calendars": [
                {"id": cal.id, "name": cal.name, "color": cal.color,
                 "role": cal.role if cal.role in (RemoteCalendar.PRIMARY, RemoteCalendar.CONFLICT) else None}
                for cal in account.calendars.order_by(RemoteCalendar.name, RemoteCalendar.id)
            ],
        }
        for account in CalendarAccount.of(user)
    ]


def _entry(cal: RemoteCalendar) -> dict:
    return {"account_id": cal.account_id, "calendar_id": cal.id, "name": cal.name}


def configuration_json(primary: RemoteCalendar | None, conflicts: list[RemoteCalendar]) -> dict:
    return {"primary": _entry(primary) if primary else None, "conflicts": [_entry(cal) for cal in conflicts]}


def event_type_json(kind: EventType) -> dict:
    return {**event_types.values_of(kind), "id": kind.id}


def date_override_json(row: DateOverride) -> dict:
    if row.is_time_off:
        return {"id": row.id, "start_date": row.start_date.isoformat(), "end_date": row.end_date.isoformat(),
                "closed": True}
    return {"id": row.id, "date": row.start_date.isoformat(), "closed": row.closed,
            "ranges": [] if row.closed else row.ranges}
