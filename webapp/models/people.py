"""Users, their API tokens and contacts, and the iCloud side: accounts, calendars and mirrored objects."""
from __future__ import annotations

import json
import secrets

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from ..times import utcnow
from .base import BaseModel

DEFAULT_WORKING_HOURS: dict[str, list[list[str]]] = {
    str(day): [["09:00", "17:00"]] for day in range(5)  # Monday=0 … Friday=4
}


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
    is_admin = BooleanField(default=False)  # invites members, makes teams; the first user is one
    created_at = DateTimeField(default=utcnow)
    removed_at = DateTimeField(null=True)  # removed by an admin: cannot sign in; the row stays for bookers' links

    # flask-login protocol
    @property
    def is_active(self) -> bool:
        return self.removed_at is None

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
