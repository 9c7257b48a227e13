"""What is booked and how: event types, date overrides, appointments, Blocked Slots, sync runs, mail."""
from __future__ import annotations

import json
import uuid
from typing import Any

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from ..times import utcnow
from .base import BaseModel
from .people import CalendarAccount, Contact, RemoteCalendar, RemoteObject, User
from .team import Team


class EventType(BaseModel):
    """A kind of appointment a user (or, with `team` set, a team) offers: its length, buffers, notice,
    horizon, grid and limits. A team type's `owner` is the admin who made it; its slug is unique in the team."""

    PERSONAL = "personal"
    ROUND_ROBIN = "round_robin"
    COLLECTIVE = "collective"

    owner = ForeignKeyField(User, backref="event_types", on_delete="CASCADE")
    title = CharField(max_length=200)
    slug = CharField(max_length=64)
    duration_minutes = IntegerField(default=30)
    description = TextField(default="")
    location = CharField(default="", max_length=500)  # a place in words or a meeting link
    color = CharField(null=True)
    buffer_before_minutes = IntegerField(default=0)
    buffer_after_minutes = IntegerField(default=0)
    minimum_notice_minutes = IntegerField(default=240)
    horizon_days = IntegerField(default=60)
    step_minutes = IntegerField(null=True)  # None: the duration
    daily_limit = IntegerField(null=True)
    weekly_limit = IntegerField(null=True)
    active = BooleanField(default=True)
    position = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow)
    team = ForeignKeyField(Team, null=True, backref="event_types", on_delete="CASCADE")
    kind = CharField(default=PERSONAL, max_length=32)

    @classmethod
    def of(cls, user: User):
        """The user's own (personal) event types, in the user's order."""
        return cls.select().where(cls.owner == user, cls.team.is_null()).order_by(cls.position, cls.id)

    @classmethod
    def of_team(cls, team: Team):
        return cls.select().where(cls.team == team).order_by(cls.position, cls.id)


# A personal slug is unique per owner, a team type's slug per team (partial indexes: SQLite and PostgreSQL).
EventType.add_index(EventType.index(EventType.owner, EventType.slug, unique=True,
                                    where=EventType.team.is_null(), name="eventtype_personal_slug"))
EventType.add_index(EventType.index(EventType.team, EventType.slug, unique=True,
                                    where=EventType.team.is_null(False), name="eventtype_team_slug"))


class TeamEventTypeMember(BaseModel):
    """A member a team event type may be assigned to (round-robin) or always includes (collective)."""

    event_type = ForeignKeyField(EventType, backref="team_members", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="team_event_types", on_delete="CASCADE")
    priority = IntegerField(default=0)  # round-robin ties: the higher priority first
    position = IntegerField(default=0)  # then the order the admin gave

    class Meta:
        indexes = ((("event_type", "user"), True),)


class DateOverride(BaseModel):
    """Other working ranges on one date, or closed dates (one date, or time off from start to end)."""

    owner = ForeignKeyField(User, backref="date_overrides", on_delete="CASCADE")
    start_date = DateField(index=True)
    end_date = DateField(index=True)  # inclusive; equal to start_date for a one-date override
    closed = BooleanField(default=True)
    ranges_json = TextField(default="[]")  # [["09:00", "12:00"], …] when not closed
    created_at = DateTimeField(default=utcnow)

    @property
    def ranges(self) -> list[list[str]]:
        return json.loads(self.ranges_json)

    @property
    def is_time_off(self) -> bool:
        return self.end_date != self.start_date

    @classmethod
    def of(cls, user: User):
        return cls.select().where(cls.owner == user).order_by(cls.start_date, cls.id)


class Appointment(BaseModel):
    BOOKED = "booked"
    CANCELLED = "cancelled"

    PUSH_NONE = "none"  # nothing to write: no Primary Calendar
    PUSH_PENDING = "pending"
    PUSH_SYNCED = "synced"
    PUSH_FAILED = "failed"

    uuid = CharField(unique=True, default=lambda: str(uuid.uuid4()))
    owner = ForeignKeyField(User, backref="appointments", on_delete="CASCADE")
    contact = ForeignKeyField(Contact, backref="appointments", null=True, on_delete="SET NULL")
    event_type = ForeignKeyField(EventType, backref="appointments", null=True, on_delete="SET NULL")
    title = CharField(default="")
    start_utc = DateTimeField(index=True)
    end_utc = DateTimeField(index=True)
    status = CharField(default=BOOKED)
    # Where the event was written: calendar, href, etag and UID of the remote copy.
    remote_calendar = ForeignKeyField(RemoteCalendar, null=True, on_delete="SET NULL")
    remote_href = CharField(null=True, max_length=1024)
    remote_etag = CharField(null=True, max_length=512)
    remote_uid = CharField(null=True, max_length=512)
    push_state = CharField(default=PUSH_PENDING)
    push_attempts = IntegerField(default=0)
    push_error = TextField(null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    # What the booker typed on the public page (the Contact keeps the name it was first stored with).
    booker_name = CharField(null=True)
    booker_email = CharField(null=True)
    booker_note = TextField(null=True)
    booker_timezone = CharField(null=True)
    booker_address = CharField(null=True)  # the client address, for the per-address limit
    cancel_reason = TextField(null=True)
    # A team booking: its team, and the group id shared by every member's appointment of one booking.
    team = ForeignKeyField(Team, null=True, backref="appointments", on_delete="SET NULL")
    booking_group = CharField(null=True, index=True, max_length=64)

    @property
    def event_uid(self) -> str:
        return f"{self.uuid}@slotwise"

    @classmethod
    def live(cls):
        return cls.select().where(cls.status == cls.BOOKED)


class BlockedSlot(BaseModel):
    MANUAL = "manual"
    ICLOUD = "icloud"

    owner = ForeignKeyField(User, backref="blocked_slots", on_delete="CASCADE")
    source = CharField(default=MANUAL)
    remote_calendar = ForeignKeyField(RemoteCalendar, null=True, backref="blocked_slots", on_delete="CASCADE")
    remote_object = ForeignKeyField(RemoteObject, null=True, backref="blocked_slots", on_delete="CASCADE")
    uid = CharField(null=True, max_length=512)
    recurrence_id = CharField(null=True)
    start_utc = DateTimeField(index=True)
    end_utc = DateTimeField(index=True)
    all_day = BooleanField(default=False)
    title = CharField(default="", max_length=1024)
    created_at = DateTimeField(default=utcnow)


class SyncRun(BaseModel):
    account = ForeignKeyField(CalendarAccount, backref="sync_runs", on_delete="CASCADE")
    started_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField(null=True)
    # what the run did, counted in events (objects) and HTTP requests
    pulled = IntegerField(default=0)  # new events mirrored
    updated = IntegerField(default=0)  # changed events mirrored again
    deleted = IntegerField(default=0)  # events gone from the server
    pushed = IntegerField(default=0)  # appointments written
    skipped = IntegerField(default=0)  # events that could not be read
    requests = IntegerField(default=0)
    error = TextField(null=True)
    warnings = TextField(default="")

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    def add_warning(self, text: str) -> None:
        self.warnings = f"{self.warnings}\n{text}".strip()


class OutboxMail(BaseModel):
    """One e-mail, written in the transaction of the change that causes it, sent after the commit.

    `message_id` is made once and kept across retries. `claimed_at` is set (and committed) before the
    SMTP transaction starts, so a sender that dies mid-send leaves a trace (see webapp.mail.outbox).
    """

    owner = ForeignKeyField(User, backref="outbox", on_delete="CASCADE")
    appointment = ForeignKeyField(Appointment, backref="mails", null=True, on_delete="SET NULL")
    kind = CharField()  # booked | rescheduled | cancelled | reminder (booker or owner) | invitation (invitee)
    audience = CharField()  # booker | owner | invitee
    recipient = CharField()
    dedupe_key = CharField(unique=True)  # one reminder per appointment and start
    snapshot_json = TextField()  # what the message says, taken at the change
    subject = CharField(default="", max_length=512)
    body_text = TextField(null=True)  # composed from the snapshot (at once when PUBLIC_URL is set)
    body_html = TextField(null=True)
    ics = TextField(null=True)
    message_id = CharField(unique=True)
    attempts = IntegerField(default=0)
    last_error = TextField(null=True)
    next_attempt_at = DateTimeField(null=True, default=utcnow, index=True)  # None: given up
    claimed_at = DateTimeField(null=True)
    sent_at = DateTimeField(null=True, index=True)
    created_at = DateTimeField(default=utcnow)

    @property
    def snapshot(self) -> dict[str, Any]:
        return json.loads(self.snapshot_json)

    @property
    def state(self) -> str:
        """sent | waiting (not tried yet) | retrying | failed (will not be retried)."""
        if self.sent_at:
            return "sent"
        if self.next_attempt_at is None:
            return "failed"
        return "retrying" if self.last_error else "waiting"

    @classmethod
    def unsent(cls):
        return cls.select().where(cls.sent_at.is_null())
