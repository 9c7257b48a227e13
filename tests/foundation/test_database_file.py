"""The SQLite database holds every booking and the encrypted passwords: only its owner may read it."""
from __future__ import annotations

import os
import stat
from collections.abc import Iterator

import pytest

from tests.conftest import TEST_KEY
from webapp import create_app


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most systems give (022): files are readable by every local user unless made otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_database_file_and_its_wal_companions_are_created_owner_only(tmp_path, usual_umask):
    path = tmp_path / "fresh.db"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SLOTWISE_ENCRYPTION_KEY": TEST_KEY,
                      "DATABASE_URL": f"sqlite:///{path}"})
    from webapp.auth import create_user
    from webapp.db import database

    with app.app_context():
        database.connect(reuse_if_open=True)
        create_user("ada@example.com", "correct horse battery")  # a write: the WAL files exist now
        companions = [tmp_path / f"fresh.db{suffix}" for suffix in ("-wal", "-shm", "-journal")]
        assert any(p.exists() for p in companions)
        assert mode(path) == 0o600
        for companion in companions:
            if companion.exists():
                assert mode(companion) == 0o600, companion
        database.close()


def test_an_existing_database_keeps_its_mode(tmp_path, usual_umask):
    """An operator who chose a mode (a backup group that reads it) keeps it."""
    path = tmp_path / "kept.db"
    path.touch(mode=0o640)
    os.chmod(path, 0o640)
    create_app({"TESTING": True, "SECRET_KEY": "x", "SLOTWISE_ENCRYPTION_KEY": TEST_KEY,
                "DATABASE_URL": f"sqlite:///{path}"})
    assert mode(path) == 0o640
