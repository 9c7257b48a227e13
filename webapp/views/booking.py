"""The public booking page /book/<slug> (no sign-in)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("booking", __name__, url_prefix="/book")
