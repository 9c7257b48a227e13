"""The whole domain's schema and the database proxy it is bound to. No Flask or caldav here: query helpers only.

`db.py` wires `database` to the app's real database. All datetimes are stored as naive UTC.
"""
from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

from peewee import (
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from .times import utcnow

database = DatabaseProxy()

DEFAULT_WORKING_HOURS: dict[str, list[list[str]]] = {
    str(day): [["09:00", "17:00"]] for day in range(5)  # Monday=0 … Friday=4
}


class BaseModel(Model):
    class Meta:
        database = database


class SchemaVersion(BaseModel):
    version = IntegerField()


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(BaseModel):
    email = CharField(unique=True)
    password_hash = CharField()
    # Flask-Login's alternative id: in every session and remember cookie, rotated to end them all.
    session_token = CharField(unique=True, null=True, default=new_session_token)
    display_name = CharField(default="")
    timezone = CharField(default="UTC")
    booking_slug = CharField(unique=True)
    working_hours_json = TextField(default=lambda: json.dumps(DEFAULT_WORKING_HOURS))
    # Before event types (schema version 2) these were the user's only booking rules; they now seed the
    # user's first event type and are read nowhere else.
    slot_minutes = IntegerField(default=30)
    buffer_before_minutes = IntegerField(default=0)
    buffer_after_minutes = IntegerField(default=0)
    min_notice_minutes = IntegerField(default=240)
    horizon_days = IntegerField(default=60)
    notify_bookings = BooleanField(default=True)  # e-mail the owner when a booker books, moves or cancels
    created_at = DateTimeField(default=utcnow)

    # flask-login protocol
    is_active = True
    is_anonymous = False
    is_authenticated = True

    def get_id(self) -> str:
        return self.session_token or ""

    @property
    def working_hours(self) -> dict[str, list[list[str]]]:
        """Weekday ("0" = Monday) → list of ["HH:MM", "HH:MM"] ranges in the user's zone."""
        return json.loads(self.working_hours_json)

    @working_hours.setter
    def working_hours(self, value: dict[str, list[list[str]]]) -> None:
        self.working_hours_json = json.dumps(value)

    @property
    def name(self) -> str:
        return self.display_name or self.email

    @classmethod
    def by_email(cls, email: str) -> User | None:
        return cls.get_or_none(cls.email == email.strip().lower())

    @staticmethod
    def new_slug() -> str:
        return secrets.token_urlsafe(6).lower().replace("_", "x").replace("-", "x")


class ApiToken(BaseModel):
    user = ForeignKeyField(User, backref="api_tokens", on_delete="CASCADE")
    token_hash = CharField(unique=True)
    created_at = DateTimeField(default=utcnow)
    last_used_at = DateTimeField(null=True)


class Contact(BaseModel):
    owner = ForeignKeyField(User, backref="contacts", on_delete="CASCADE")
    name = CharField()
    email = CharField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("owner", "email"), True),)


class CalendarAccount(BaseModel):
    """One connected iCloud account (Apple ID) of a user."""

    CONNECTED = "connected"
    NEEDS_RECONNECT = "needs_reconnect"
    ERROR = "error"

    owner = ForeignKeyField(User, backref="calendar_accounts", on_delete="CASCADE")
    provider = CharField(default="icloud")
    email = CharField()
    password_encrypted = TextField(null=True)
    status = CharField(default=CONNECTED)
    last_synced_at = DateTimeField(null=True)
    last_error = TextField(null=True)
    consecutive_failures = IntegerField(default=0)
    next_sync_after = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("owner", "provider", "email"), True),)

    @classmethod
    def of(cls, user: User):
        return cls.select().where(cls.owner == user).order_by(cls.email)


class RemoteCalendar(BaseModel):
    """A calendar found in a CalendarAccount, with its role in Slotwise."""

    PRIMARY = "primary"
    CONFLICT = "conflict"
    NONE = "none"

    account = ForeignKeyField(CalendarAccount, backref="calendars", on_delete="CASCADE")
    url = CharField(max_length=1024)
    name = CharField(default="")
    color = CharField(null=True)
    role = CharField(default=NONE)
    sync_token = TextField(null=True)
    ctag = CharField(null=True, max_length=512)
    empty_strikes = IntegerField(default=0)  # consecutive syncs that listed zero objects
    synced_until = DateTimeField(null=True)  # end of the window mirrored so far
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("account", "url"), True),)

    @property
    def is_read(self) -> bool:
        return self.role in (self.PRIMARY, self.CONFLICT)

    @classmethod
    def primary_of(cls, user: User) -> RemoteCalendar | None:
        """The user's Primary Calendar, where appointments are written and what the pages show.

        Roles are set in one transaction, so there is one at most; were there ever two, the page and the
        sync both take the oldest row, which an iCloud rename of a calendar or an account cannot change.
        """
        return (
            cls.select(cls, CalendarAccount)
            .join(CalendarAccount)
            .where(CalendarAccount.owner == user, cls.role == cls.PRIMARY)
            .order_by(cls.id)
            .first()
        )


class RemoteObject(BaseModel):
    """One calendar object resource seen on the server (href + etag), for incremental sync."""

    calendar = ForeignKeyField(RemoteCalendar, backref="objects", on_delete="CASCADE")
    href = CharField(max_length=1024)
    etag = CharField(null=True, max_length=512)
    uid = CharField(null=True, max_length=512)
    data = TextField(null=True)  # the iCalendar text, re-expanded when the sync window moves

    class Meta:
        indexes = ((("calendar", "href"), True),)


class EventType(BaseModel):
    """A kind of appointment a user offers: its length, buffers, notice, horizon, grid and limits."""

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

    class Meta:
        indexes = ((("owner", "slug"), True),)

    @classmethod
    def of(cls, user: User):
        return cls.select().where(cls.owner == user).order_by(cls.position, cls.id)


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
    kind = CharField()  # booked | rescheduled | cancelled | reminder, for the booker or the owner
    audience = CharField()  # booker | owner
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
]
