"""/api/v1 routes: accounts."""
from __future__ import annotations

from . import api  # noqa: F401
