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


class AccountLock:
    """One account's lock: `with account_lock(id):`, or acquire() then release() (blocking, never skipped)."""

    def __init__(self, account_id: int):
        self.account_id = int(account_id)
        self._thread_lock = _thread_lock(self.account_id)
        self._connection = None

    def acquire(self) -> None:
        self._thread_lock.acquire()
        if not is_postgresql():
            return
        try:
            # A new driver connection (autocommit), not Peewee's per-thread one, nor one from a pool.
            self._connection = PostgresqlDatabase._connect(database.obj)
            self._connection.cursor().execute("SELECT pg_advisory_lock(%s, %s)",
                                              (ACCOUNT_LOCK_SPACE, self.account_id))
        except BaseException:
            self._close()
            self._thread_lock.release()
            raise

    def release(self) -> None:
        try:
            if self._connection is not None:
                self._connection.cursor().execute("SELECT pg_advisory_unlock(%s, %s)",
                                                  (ACCOUNT_LOCK_SPACE, self.account_id))
        finally:
            self._close()
            self._thread_lock.release()

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()  # the session ends, and any lock it still held with it
            self._connection = None

    def __enter__(self) -> AccountLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def account_lock(account_id: int) -> AccountLock:
    """The lock of `account_id`: while held, no other sync of that account runs; taking it waits (never skips)."""
    return AccountLock(account_id)
