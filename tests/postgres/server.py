"""A PostgreSQL server the tests make databases on: one new database per test, dropped after it."""
from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg

TEMPLATE = "slotwise_template"


def with_database(url: str, name: str) -> str:
    """`url` (postgresql://…/db?…) naming database `name` instead."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


class PostgresServer:
    """Databases `t<pid>_<n>` on the server at `url`, each a copy of a template holding the newest schema.

    The template is made once per run by `create_schema` itself, so every model in ALL_MODELS and the
    schema version are there without a list kept here.
    """

    def __init__(self, url: str):
        self.url = url
        self.admin = psycopg.connect(with_database(url, "postgres"), autocommit=True)
        self._numbers = itertools.count(1)
        self._template_ready = False

    def execute(self, sql: str) -> None:
        self.admin.execute(sql)

    def empty_database(self) -> str:
        """A new database with nothing in it; returns its URL."""
        name = f"t{os.getpid()}_{next(self._numbers)}"
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.execute(f'CREATE DATABASE "{name}" STRATEGY FILE_COPY')
        return with_database(self.url, name)

    def _make_template(self) -> None:
        from webapp.db import connect_url, create_schema
        from webapp.models import database

        self.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}{os.getpid()}" WITH (FORCE)')
        self.execute(f'CREATE DATABASE "{TEMPLATE}{os.getpid()}" STRATEGY FILE_COPY')
        db = connect_url(with_database(self.url, f"{TEMPLATE}{os.getpid()}"))
        database.initialize(db)
        try:
            create_schema()
        finally:
            db.close()
        self._template_ready = True

    def new_database(self) -> str:
        """A new database at the newest schema version (a copy of the template); returns its URL."""
        if not self._template_ready:
            self._make_template()
        name = f"t{os.getpid()}_{next(self._numbers)}"
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}{os.getpid()}" STRATEGY FILE_COPY')
        return with_database(self.url, name)

    def database_for_a_test(self) -> Iterator[str]:
        """A new database for one test (a fixture's body): its URL, then it is dropped."""
        from webapp.db import database

        url = self.new_database()
        yield url
        if database.obj is not None and not database.is_closed():
            database.close()
        self.drop(url)

    def drop(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        """Drop the template (each test's database is dropped after it) and disconnect."""
        if self._template_ready:
            self.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}{os.getpid()}" WITH (FORCE)')
        self.admin.close()
