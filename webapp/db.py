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
    for user in User.select():
        kind = first_type(user)
        Appointment.update(event_type=kind).where(Appointment.owner == user).execute()


MIGRATIONS: list[Callable[[SchemaMigrator], None]] = [
    _add_remote_object_data, _add_booker_fields, _add_user_session_token, _add_event_types,
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
