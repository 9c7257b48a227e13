"""The per-account sync lock: `with account_lock(account_id):` waits until no other sync of that account
runs, in this process or (on PostgreSQL) in any process on the same database, then runs its block.

SQLite serves one process, so a `threading.Lock` per account is the whole lock. On PostgreSQL the
threads of one process first queue on that same lock, then the one in front takes a session-level
advisory lock keyed by the account on a connection of its own: not the connection Peewee gives the
thread, whose transactions the sync commits and rolls back as it goes (an advisory lock is a session's,
so it must be a session nothing else uses), and closed afterwards. A process that dies loses its
connection, and the server releases the lock with it.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from peewee import PostgresqlDatabase

from ..db import database, is_postgresql

# pg_advisory_lock(key1, key2): key1 names Slotwise's account locks, so another use of advisory locks on
# the same database (another app, a later Slotwise lock) cannot collide with an account id.
ACCOUNT_LOCK_SPACE = 0x534C5701  # "SLW" 1

_locks: dict[int, threading.Lock] = {}
_locks_guard = threading.Lock()


def _thread_lock(account_id: int) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(account_id, threading.Lock())


@contextmanager
def _advisory_lock(space: int, key: int) -> Iterator[None]:
    """Hold PostgreSQL's advisory lock (space, key) on a new connection while the block runs."""
    # A new driver connection (autocommit), not Peewee's per-thread one, nor one from a pool (postgresql+pool://).
    connection = PostgresqlDatabase._connect(database.obj)
    try:
        connection.cursor().execute("SELECT pg_advisory_lock(%s, %s)", (space, key))
        try:
            yield
        finally:
            connection.cursor().execute("SELECT pg_advisory_unlock(%s, %s)", (space, key))
    finally:
        connection.close()


@contextmanager
def account_lock(account_id: int) -> Iterator[None]:
    """Run the block while no other sync of `account_id` runs; waits for a running one (never skips)."""
    with _thread_lock(account_id):
        if not is_postgresql():
            yield
            return
        with _advisory_lock(ACCOUNT_LOCK_SPACE, int(account_id)):
            yield
