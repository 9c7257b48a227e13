"""The whole domain's schema and the database proxy it is bound to. No Flask or caldav here: query helpers only.

`db.py` wires `database` to the app's real database. All datetimes are stored as naive UTC.
"""
from __future__ import annotations

from peewee import Model

from ..times import utcnow
from .base import BaseModel, database
from .booking import Appointment, BlockedSlot, DateOverride, EventType, OutboxMail, SyncRun, TeamEventTypeMember
from .people import (
    DEFAULT_WORKING_HOURS,
    ApiToken,
    CalendarAccount,
    Contact,
    RemoteCalendar,
    RemoteObject,
    SchemaVersion,
    User,
    new_session_token,
)
from .team import Invitation, Team, TeamMember

__all__ = [
    "ALL_MODELS", "DEFAULT_WORKING_HOURS", "ApiToken", "Appointment", "BaseModel", "BlockedSlot", "CalendarAccount",
    "Contact", "DateOverride", "EventType", "Invitation", "OutboxMail", "RemoteCalendar", "RemoteObject",
    "SchemaVersion", "SyncRun", "Team", "TeamEventTypeMember", "TeamMember", "User", "database",
    "new_session_token", "utcnow",
]

ALL_MODELS: list[type[Model]] = [
    SchemaVersion,
    User,
    ApiToken,
    Contact,
    CalendarAccount,
    RemoteCalendar,
    RemoteObject,
    EventType,
    DateOverride,
    Appointment,
    BlockedSlot,
    SyncRun,
    OutboxMail,
    Team,
    TeamMember,
    Invitation,
    TeamEventTypeMember,
]
