"""The Peewee database wired to the app: the proxy of `models` bound per app, schema created and migrated in place."""
from __future__ import annotations

import logging
from collections.abc import Callable

import click
from flask import Flask
from peewee import Database, SqliteDatabase
from playhouse import db_url
from playhouse.migrate import SchemaMigrator

from .models import ALL_MODELS, SchemaVersion, User, database

log = logging.getLogger(__name__)

SQLITE_PRAGMAS = {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10000, "synchronous": "normal"}


def connect_url(url: str) -> Database:
    if url.startswith("sqlite"):
        return db_url.connect(url, pragmas=SQLITE_PRAGMAS)
    return db_url.connect(url)


def init_app(app: Flask) -> None:
    database.initialize(connect_url(app.config["DATABASE_URL"]))
    create_schema()

    @app.before_request
    def _open() -> None:
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


MIGRATIONS: list[Callable[[SchemaMigrator], None]] = [_add_remote_object_data]


def create_schema() -> int:
    """Create missing tables and run pending migrations; return the schema version."""
    db = database.obj
    with database.connection_context():
        with database.atomic():
            fresh = not db.table_exists(SchemaVersion._meta.table_name)
            db.create_tables(ALL_MODELS, safe=True)
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
