"""Event type tests share the calendar tests' owner (Europe/Berlin), Bearer token and dates."""
from __future__ import annotations

from tests.calendar.conftest import BERLIN, api, at, day, monday_in_two_weeks, owner, token  # noqa: F401
