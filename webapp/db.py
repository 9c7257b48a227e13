"""The Peewee database wired to the app: the proxy of `models` bound per app, schema created and migrated in place."""
from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from collections.abc import Callable, Iterator

import click
from flask import Flask, request
from peewee import Database, ForeignKeyField, PostgresqlDatabase, SqliteDatabase
from playhouse import db_url
from playhouse.migrate import SchemaMigrator

from .models import ALL_MODELS, SchemaVersion, User, database

log = logging.getLogger(__name__)

SQLITE_PRAGMAS = {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10000, "synchronous": "normal"}


def connect_url(url: str) -> Database:
    if url.startswith("sqlite"):
        _create_owner_only(db_url.parse(url).get("database") or "")
        return db_url.connect(url, pragmas=SQLITE_PRAGMAS)
    return db_url.connect(url)


def _create_owner_only(path: str) -> None:
    """Create a new SQLite file mode 0600 (like the encryption key) before SQLite opens it.

    SQLite gives its -wal, -shm and -journal files the mode of the database file. An existing file keeps
    the mode its operator gave it; one readable by other local users is named in the log.
    """
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if os.stat(path).st_mode & 0o077:
            log.warning("the database %s is readable by other local users; `chmod 600` it", path)
    except FileNotFoundError:
        pass  # no such folder: SQLite says so when it opens the file


def init_app(app: Flask) -> None:
    database.initialize(connect_url(app.config["DATABASE_URL"]))
    create_schema()

    @app.before_request
    def _open() -> None:
        if request.endpoint == "health.healthz":
            return  # /healthz opens the database itself, to report when it does not answer
        database.connect(reuse_if_open=True)

    @app.teardown_appcontext
    def _close(exc: BaseException | None) -> None:
        if not database.is_closed():
            database.close()

    @app.cli.command("init-db")
    def init_db_command() -> None:
        """Create the database schema (safe to run again: it never drops data)."""
        version = create_schema()
        click.echo(f"Database ready at schema version {version}.")
        if not User.select().exists():
            click.echo(
                "No user exists yet. Create the first one with\n"
                "  .venv/bin/flask --app webapp create-user you@example.com --name 'Your Name' --timezone Europe/Berlin\n"
                "or open the app and choose 'Create the first one'."
            )


# Each migration takes a SchemaMigrator and brings the schema up by one version.
# Add new steps at the end; never edit or remove one that has shipped.
def _add_remote_object_data(migrator: SchemaMigrator) -> None:
    """RemoteObject.data: the object's iCalendar text, re-expanded as the sync window moves."""
    from peewee import TextField
    from playhouse.migrate import migrate

    migrate(migrator.add_column("remoteobject", "data", TextField(null=True)))


def _add_user_session_token(migrator: SchemaMigrator) -> None:
    """User.session_token: Flask-Login's alternative id, one random value per user."""
    from peewee import CharField
    from playhouse.migrate import migrate

    from .models import User, new_session_token

    migrate(migrator.add_column("user", "session_token", CharField(null=True)))
    for (user_id,) in User.select(User.id).tuples():
        User.update(session_token=new_session_token()).where(User.id == user_id).execute()
    migrate(migrator.add_index("user", ("session_token",), True))



def _add_booker_fields(migrator: SchemaMigrator) -> None:
    """What the booker typed, their zone and address, a cancel reason; the owner's notification switch."""
    from peewee import BooleanField, CharField, TextField
    from playhouse.migrate import migrate

    migrate(
        migrator.add_column("appointment", "booker_name", CharField(null=True)),
        migrator.add_column("appointment", "booker_email", CharField(null=True)),
        migrator.add_column("appointment", "booker_note", TextField(null=True)),
        migrator.add_column("appointment", "booker_timezone", CharField(null=True)),
        migrator.add_column("appointment", "booker_address", CharField(null=True)),
        migrator.add_column("appointment", "cancel_reason", TextField(null=True)),
        migrator.add_column("user", "notify_bookings", BooleanField(default=True)),
    )


def _add_event_types(migrator: SchemaMigrator) -> None:
    """Event types: each user's slot length, buffers, notice and horizon become their first event type,
    and every appointment they have records it (the EventType and DateOverride tables exist already:
    create_schema creates missing tables first)."""
    from playhouse.migrate import migrate

    from .event_types import first_type
    from .models import Appointment, EventType, User

    migrate(migrator.add_column("appointment", "event_type_id",
                                ForeignKeyField(EventType, null=True, field=EventType.id, on_delete="SET NULL")))
    for user in User.select(*_fields_in_table(User)):
        kind = first_type(user)
        Appointment.update(event_type=kind).where(Appointment.owner == user).execute()


def _fields_in_table(model) -> list:
    """The model's fields whose columns its table has now: a migration selects those, since the model
    already has the columns later migrations add."""
    have = {c.name for c in database.get_columns(model._meta.table_name)}
    return [f for f in model._meta.sorted_fields if f.column_name in have]


def _add_teams(migrator: SchemaMigrator) -> None:
    """Admins, teams and team event types (the Team, TeamMember, Invitation and TeamEventTypeMember tables
    exist already): the first user becomes an admin; an event type's slug is unique per owner among personal
    types and per team among team types."""
    from peewee import BooleanField, CharField
    from playhouse.migrate import migrate

    from .models import EventType, Team, User

    migrate(
        migrator.add_column("user", "is_admin", BooleanField(default=False)),
        migrator.add_column("appointment", "team_id",
                            ForeignKeyField(Team, null=True, field=Team.id, on_delete="SET NULL")),
        migrator.add_column("appointment", "booking_group", CharField(null=True, max_length=64)),
        migrator.add_index("appointment", ("booking_group",), False),
    )
    # A database made before event types got the eventtype table from create_schema, already in this shape.
    if "team_id" not in {c.name for c in database.get_columns("eventtype")}:
        migrate(
            migrator.add_column("eventtype", "team_id",
                                ForeignKeyField(Team, null=True, field=Team.id, on_delete="CASCADE")),
            migrator.add_column("eventtype", "kind", CharField(default=EventType.PERSONAL, max_length=32)),
            migrator.drop_index("eventtype", "eventtype_owner_id_slug"),
        )
        for index in EventType._meta.fields_to_index():
            if getattr(index, "_name", "") in ("eventtype_personal_slug", "eventtype_team_slug"):
                database.execute(index)
    first = User.select(User.id).order_by(User.id).first()
    if first is not None:
        User.update(is_admin=True).where(User.id == first.id).execute()


def _add_calendar_rules(migrator: SchemaMigrator) -> None:
    """Per-calendar rules (all-day, travel time, tentative; on by default, as before) and what each
    Blocked Slot is (travel minutes, tentative), so a rule applies without fetching anything again."""
    from peewee import BooleanField, IntegerField
    from playhouse.migrate import migrate

    migrate(
        migrator.add_column("remotecalendar", "all_day_events_block", BooleanField(default=True)),
        migrator.add_column("remotecalendar", "travel_time_blocks", BooleanField(default=True)),
        migrator.add_column("remotecalendar", "tentative_blocks", BooleanField(default=True)),
        migrator.add_column("blockedslot", "travel_minutes", IntegerField(default=0)),
        migrator.add_column("blockedslot", "tentative", BooleanField(default=False)),
    )


def _add_feed_validators(migrator: SchemaMigrator) -> None:
    """Subscribed calendars: the ETag and Last-Modified of a feed's last answer, for conditional GETs."""
    from peewee import CharField
    from playhouse.migrate import migrate

    migrate(
        migrator.add_column("remotecalendar", "http_etag", CharField(null=True, max_length=512)),
        migrator.add_column("remotecalendar", "http_last_modified", CharField(null=True, max_length=128)),
    )


def _add_sync_health(migrator: SchemaMigrator) -> None:
    """SyncRun.kind (a periodic sync or the check before a booking) and each read calendar's health."""
    from peewee import CharField, DateTimeField, IntegerField, TextField
    from playhouse.migrate import migrate

    migrate(
        migrator.add_column("syncrun", "kind", CharField(default="sync", max_length=16)),
        migrator.add_column("remotecalendar", "last_success_at", DateTimeField(null=True)),
        migrator.add_column("remotecalendar", "last_requests", IntegerField(null=True)),
        migrator.add_column("remotecalendar", "last_error", TextField(null=True)),
    )
    # A read calendar of a connected account was read by the account's last sync: start from that, so
    # FAIL_CLOSED_AFTER_MINUTES does not close booking pages on the upgrade.
    database.execute_sql(
        "UPDATE remotecalendar SET last_success_at = (SELECT last_synced_at FROM calendaraccount"
        " WHERE calendaraccount.id = remotecalendar.account_id AND calendaraccount.status = 'connected')"
        " WHERE role IN ('primary', 'conflict')")


def _add_member_fields(migrator: SchemaMigrator) -> None:
    """Members: an invitation's link nonce and revocation, a removed member's date (the row stays, since
    bookers' links and past appointments refer to it). A database from before teams got the invitation
    table from create_schema, already in this shape."""
    from peewee import CharField, DateTimeField
    from playhouse.migrate import migrate

    steps = [migrator.add_column("user", "removed_at", DateTimeField(null=True))]
    if "nonce" not in {c.name for c in database.get_columns("invitation")}:
        steps += [migrator.add_column("invitation", "nonce", CharField(default="", max_length=64)),
                  migrator.add_column("invitation", "revoked_at", DateTimeField(null=True))]
    migrate(*steps)


MIGRATIONS: list[Callable[[SchemaMigrator], None]] = [
    _add_remote_object_data, _add_booker_fields, _add_user_session_token, _add_event_types, _add_teams,
    _add_calendar_rules,
    _add_feed_validators,
    _add_sync_health,
    _add_member_fields,
]


@contextmanager
def _foreign_keys_off_on_sqlite(db: Database) -> Iterator[None]:
    """SQLite migrations rebuild tables (copy, drop, rename): with foreign keys on, dropping `user` would
    cascade into every appointment. SQLite's own procedure: keys off outside the transaction, then check."""
    if not isinstance(db, SqliteDatabase):
        yield
        return
    db.execute_sql("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the schema migration left {len(broken)} rows pointing at nothing")
    finally:
        db.execute_sql("PRAGMA foreign_keys=ON")


def create_schema() -> int:
    """Create missing tables and run pending migrations; return the schema version."""
    db = database.obj
    with database.connection_context(), _foreign_keys_off_on_sqlite(db):
        with database.atomic():
            fresh = not db.table_exists(SchemaVersion._meta.table_name)
            # Only tables that are missing: creating the indexes of an existing table before a migration
            # adds their column would index a string literal (SQLite reads an unknown quoted name so).
            db.create_tables([m for m in ALL_MODELS if not db.table_exists(m._meta.table_name)])
            row = SchemaVersion.get_or_none()
            if row is None:
                # A new database already has the newest tables: start at the newest version.
                row = SchemaVersion.create(version=len(MIGRATIONS) if fresh else 0)
            migrator = SchemaMigrator.from_database(db)
            for step in range(row.version, len(MIGRATIONS)):
                log.info("migrating schema to version %d", step + 1)
                MIGRATIONS[step](migrator)
                row.version = step + 1
                row.save()
            return row.version


def is_sqlite() -> bool:
    return isinstance(database.obj, SqliteDatabase)


def write_transaction():
    """A transaction that reads and then writes. On SQLite it takes the write lock at BEGIN (IMMEDIATE):
    a deferred one that has read cannot wait for another writer's commit and fails at once with
    "database is locked"; an immediate one waits (busy_timeout) like any writer. Nested: a savepoint."""
    return database.atomic("IMMEDIATE") if is_sqlite() else database.atomic()


def is_postgresql() -> bool:
    return isinstance(database.obj, PostgresqlDatabase)


def insert_rows(model, fields: list, rows: list[tuple]) -> None:
    """Insert many rows with one prepared statement run for each row (executemany).

    Peewee's insert_many builds its SQL text value by value, which costs more than SQLite's own work on
    a first import of thousands of rows; here the statement is built once and each value still goes
    through its field's db_value, as Peewee would convert it.
    """
    if not rows:
        return
    sql, _ = model.insert_many(rows[:1], fields=fields).returning().sql()
    converters = [field.db_value for field in fields]
    with database.atomic():
        database.cursor().executemany(sql, [[convert(v) for convert, v in zip(converters, row)] for row in rows])
