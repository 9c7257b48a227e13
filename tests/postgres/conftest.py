"""Tests that need PostgreSQL itself: every app here gets a new PostgreSQL database, with or without --postgres."""
from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture
def database_url(postgres) -> Iterator[str]:
    yield from postgres.database_for_a_test()
