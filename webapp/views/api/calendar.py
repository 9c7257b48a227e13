"""/api/v1 routes: calendar."""
from __future__ import annotations

from . import api  # noqa: F401
