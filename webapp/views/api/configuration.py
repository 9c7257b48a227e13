"""/api/v1 routes: configuration."""
from __future__ import annotations

from . import api  # noqa: F401
