"""Booking tests share the calendar tests' owner (Europe/Berlin) and dates relative to today."""
from __future__ import annotations

from tests.calendar.conftest import BERLIN, at, day, monday_in_two_weeks, owner  # noqa: F401
