"""Every migration, on SQLite and on PostgreSQL: a database built at schema version 0 (by the models as they
were then, through Peewee, so each engine gets its own types) is migrated to the newest version, keeps its
rows, and ends with the same columns and indexes as a new database for every model in ALL_MODELS."""
from __future__ import annotations

from datetime import datetime

import pytest
from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from webapp import create_app
from webapp.db import MIGRATIONS, connect_url
from webapp.models import ALL_MODELS, Appointment, BlockedSlot, RemoteObject, SchemaVersion, User, database

T0 = datetime(2026, 1, 1)


class V0(Model):
    """The schema at version 0 (the first release), frozen here: later changes to the models never touch it."""


class VersionV0(V0):
    version = IntegerField()

    class Meta:
        table_name = "schemaversion"


class UserV0(V0):
    email = CharField(unique=True)
    password_hash = CharField()
    display_name = CharField(default="")
    timezone = CharField(default="UTC")
    booking_slug = CharField(unique=True)
    working_hours_json = TextField(default='{"0": [["09:00", "17:00"]]}')
    slot_minutes = IntegerField(default=30)
    buffer_before_minutes = IntegerField(default=0)
    buffer_after_minutes = IntegerField(default=0)
    min_notice_minutes = IntegerField(default=240)
    horizon_days = IntegerField(default=60)
    created_at = DateTimeField(default=T0)

    class Meta:
        table_name = "user"


class ApiTokenV0(V0):
    user = ForeignKeyField(UserV0, on_delete="CASCADE")
    token_hash = CharField(unique=True)
    created_at = DateTimeField(default=T0)
    last_used_at = DateTimeField(null=True)

    class Meta:
        table_name = "apitoken"


class ContactV0(V0):
    owner = ForeignKeyField(UserV0, on_delete="CASCADE")
    name = CharField()
    email = CharField()
    created_at = DateTimeField(default=T0)

    class Meta:
        table_name = "contact"
        indexes = ((("owner", "email"), True),)


class AccountV0(V0):
    owner = ForeignKeyField(UserV0, on_delete="CASCADE")
    provider = CharField(default="icloud")
    email = CharField()
    password_encrypted = TextField(null=True)
    status = CharField(default="connected")
    last_synced_at = DateTimeField(null=True)
    last_error = TextField(null=True)
    consecutive_failures = IntegerField(default=0)
    next_sync_after = DateTimeField(null=True)
    created_at = DateTimeField(default=T0)

    class Meta:
        table_name = "calendaraccount"
        indexes = ((("owner", "provider", "email"), True),)


class CalendarV0(V0):
    account = ForeignKeyField(AccountV0, on_delete="CASCADE")
    url = CharField(max_length=1024)
    name = CharField(default="")
    color = CharField(null=True)
    role = CharField(default="none")
    sync_token = TextField(null=True)
    ctag = CharField(null=True, max_length=512)
    empty_strikes = IntegerField(default=0)
    synced_until = DateTimeField(null=True)
    created_at = DateTimeField(default=T0)

    class Meta:
        table_name = "remotecalendar"
        indexes = ((("account", "url"), True),)


class ObjectV0(V0):
    calendar = ForeignKeyField(CalendarV0, on_delete="CASCADE")
    href = CharField(max_length=1024)
    etag = CharField(null=True, max_length=512)
    uid = CharField(null=True, max_length=512)

    class Meta:
        table_name = "remoteobject"
        indexes = ((("calendar", "href"), True),)


class AppointmentV0(V0):
    uuid = CharField(unique=True)
    owner = ForeignKeyField(UserV0, on_delete="CASCADE")
    contact = ForeignKeyField(ContactV0, null=True, on_delete="SET NULL")
    title = CharField(default="")
    start_utc = DateTimeField(index=True)
    end_utc = DateTimeField(index=True)
    status = CharField(default="booked")
    remote_calendar = ForeignKeyField(CalendarV0, null=True, on_delete="SET NULL")
    remote_href = CharField(null=True, max_length=1024)
    remote_etag = CharField(null=True, max_length=512)
    remote_uid = CharField(null=True, max_length=512)
    push_state = CharField(default="pending")
    push_attempts = IntegerField(default=0)
    push_error = TextField(null=True)
    created_at = DateTimeField(default=T0)
    updated_at = DateTimeField(default=T0)

    class Meta:
        table_name = "appointment"


class BlockedSlotV0(V0):
    owner = ForeignKeyField(UserV0, on_delete="CASCADE")
    source = CharField(default="manual")
    remote_calendar = ForeignKeyField(CalendarV0, null=True, on_delete="CASCADE")
    remote_object = ForeignKeyField(ObjectV0, null=True, on_delete="CASCADE")
    uid = CharField(null=True, max_length=512)
    recurrence_id = CharField(null=True)
    start_utc = DateTimeField(index=True)
    end_utc = DateTimeField(index=True)
    all_day = BooleanField(default=False)
    title = CharField(default="", max_length=1024)
    created_at = DateTimeField(default=T0)

    class Meta:
        table_name = "blockedslot"


class SyncRunV0(V0):
    account = ForeignKeyField(AccountV0, on_delete="CASCADE")
    started_at = DateTimeField(default=T0)
    finished_at = DateTimeField(null=True)
    pulled = IntegerField(default=0)
    updated = IntegerField(default=0)
    deleted = IntegerField(default=0)
    pushed = IntegerField(default=0)
    skipped = IntegerField(default=0)
    requests = IntegerField(default=0)
    error = TextField(null=True)
    warnings = TextField(default="")

    class Meta:
        table_name = "syncrun"


SCHEMA_V0 = [VersionV0, UserV0, ApiTokenV0, ContactV0, AccountV0, CalendarV0, ObjectV0, AppointmentV0,
             BlockedSlotV0, SyncRunV0]


def build_version_0(url: str) -> None:
    """A version-0 database at `url` with a row in every table."""
    db = connect_url(url)
    with db.bind_ctx(SCHEMA_V0):
        db.create_tables(SCHEMA_V0)
        VersionV0.create(version=0)
        for n, (email, name) in enumerate([("ada@example.com", "Ada"), ("bob@example.com", "Bob")]):
            user = UserV0.create(email=email, password_hash="x", display_name=name, booking_slug=f"slug{n}",
                                 slot_minutes=45 - 15 * n, min_notice_minutes=120)
            ApiTokenV0.create(user=user, token_hash=f"hash{n}")
            contact = ContactV0.create(owner=user, name="Grace", email="grace@example.com")
            account = AccountV0.create(owner=user, email=f"{name.lower()}@icloud.example")
            calendar = CalendarV0.create(account=account, url=f"https://p1.example/{n}/home/", role="primary")
            obj = ObjectV0.create(calendar=calendar, href=f"/{n}/home/e.ics", etag='"1"', uid="e")
            AppointmentV0.create(uuid=f"u-{n}", owner=user, contact=contact, title="With Grace",
                                 start_utc=datetime(2026, 6, 1, 8), end_utc=datetime(2026, 6, 1, 8, 45))
            BlockedSlotV0.create(owner=user, source="icloud", remote_calendar=calendar, remote_object=obj, uid="e",
                                 start_utc=datetime(2026, 6, 2, 8), end_utc=datetime(2026, 6, 2, 9), title="Busy")
            SyncRunV0.create(account=account, finished_at=T0)
    db.close()


def shape(url: str) -> dict[str, tuple]:
    """Per table of ALL_MODELS: its columns (name, nullable) and its indexes (columns, unique)."""
    db = connect_url(url)
    try:
        out = {}
        for model in ALL_MODELS:
            table = model._meta.table_name
            columns = sorted((c.name, c.null) for c in db.get_columns(table))
            indexes = sorted((tuple(i.columns), i.unique) for i in db.get_indexes(table))
            out[table] = (columns, indexes)
        return out
    finally:
        db.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_urls(request, tmp_path, postgres):
    """(old, new): an empty database to build at version 0, and an empty one for a fresh schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}", f"sqlite:///{tmp_path / 'new.db'}"
        return
    urls = postgres.empty_database(), postgres.empty_database()
    yield urls
    if database.obj is not None and not database.is_closed():
        database.close()
    for url in urls:
        postgres.drop(url)


def test_a_version_0_database_migrates_to_the_newest_schema_and_keeps_every_row(engine_urls, app_config):
    old, new = engine_urls
    build_version_0(old)
    app = create_app({**app_config, "DATABASE_URL": old})
    with app.app_context():
        assert SchemaVersion.get().version == len(MIGRATIONS)
        ada = User.get(User.email == "ada@example.com")
        assert (ada.name, ada.booking_slug, ada.notify_bookings) == ("Ada", "slug0", True)
        assert len({u.session_token for u in User.select()} - {None}) == 2  # one of its own each
        appointment = Appointment.get(Appointment.uuid == "u-0")
        assert (appointment.event_type.duration_minutes, appointment.contact.name) == (45, "Grace")
        assert RemoteObject.select().count() == 2 and BlockedSlot.select().count() == 2
        assert Appointment.select().where(Appointment.booker_email.is_null()).count() == 2
    database.close()
    create_app({**app_config, "DATABASE_URL": new})  # a new database: made at the newest version
    database.close()
    fresh = shape(new)
    assert all(columns for columns, _ in fresh.values()) and any(indexes for _, indexes in fresh.values())
    assert shape(old) == fresh
    # and migrating again changes nothing
    create_app({**app_config, "DATABASE_URL": old})
    database.close()
    assert shape(old) == fresh
