"""Cleaners for small values from people and servers, one rule each, shared by the forms, the API and the store."""
from __future__ import annotations

import re

# One @, no spaces, a dot in the domain: catches "name@icloud" and other typos that can never get mail.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL = 254  # RFC 5321's limit on a forward path
_HEX = re.compile(r"^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$", re.IGNORECASE)


def clean_email(raw: str | None) -> str | None:
    """The address trimmed and in lowercase, or None when it is not shaped like an e-mail address."""
    email = (raw or "").strip().lower()
    return email if _EMAIL.match(email) and len(email) <= MAX_EMAIL else None


def clean_color(raw: str | None) -> str | None:
    """A calendar colour as #RGB or #RRGGBB (iCloud sends #RRGGBBAA: the alpha is dropped), or None.

    Only hex digits pass, so the value is safe inside a style attribute.
    """
    value = (raw or "").strip()
    if not _HEX.match(value):
        return None
    return value[:4] if len(value) == 5 else value[:7]


def clean_rrggbb(raw: str | None) -> str | None:
    """A colour written exactly #rrggbb (what an event type stores), in lowercase, or None."""
    value = (raw or "").strip()
    return value.lower() if len(value) == 7 and clean_color(value) == value else None
