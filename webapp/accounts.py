"""CalendarAccount helpers shared by connect, configuration and sync."""
from __future__ import annotations

import re

from flask import current_app

from .calendars.caldav_store import Store
from .crypto import decrypt
from .models import CalendarAccount

APP_PASSWORD = re.compile(r"^[a-z]{16}$")


def normalise_app_password(raw: str) -> str | None:
    """Apple's app-specific passwords are 16 letters, shown as xxxx-xxxx-xxxx-xxxx.

    Accept any case, with or without dashes or spaces; return the lowercase dashed form, or None
    when it cannot be one (most often: the Apple ID password typed instead).
    """
    letters = re.sub(r"[\s-]", "", raw or "").lower()
    if not APP_PASSWORD.match(letters):
        return None
    return "-".join(letters[i : i + 4] for i in range(0, 16, 4))


def open_store(account: CalendarAccount) -> Store:
    """An authenticated Store for the account (the password is decrypted only here)."""
    return Store(
        current_app.config["ICLOUD_CALDAV_URL"],
        account.email,
        decrypt(account.password_encrypted),
        timeout=float(current_app.config["CALDAV_TIMEOUT_SECONDS"]),
    )
