"""E-mail tests: a real SMTP server on loopback, the booking owner of the calendar tests, mail helpers."""
from __future__ import annotations

from email.message import EmailMessage

import pytest
from icalendar import Calendar

from tests.calendar.conftest import BERLIN, at, day, monday_in_two_weeks, owner  # noqa: F401
from tests.rigs.smtp_rig import SmtpRig

PUBLIC_URL = "https://book.example.test"


@pytest.fixture
def app_config(app_config: dict, smtp: SmtpRig) -> dict:
    app_config.update(MAIL_URL=smtp.url, MAIL_FROM="bookings@example.test", PUBLIC_URL=PUBLIC_URL)
    return app_config


def parts(message: EmailMessage) -> tuple[str, str, Calendar | None]:
    """The plain text, the HTML and the parsed .ics attachment of a received message."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    ics = None
    for attachment in message.iter_attachments():
        if attachment.get_content_type() == "text/calendar":
            ics = Calendar.from_ical(attachment.get_content())
    return text, html, ics


def link(text: str, label: str) -> str:
    """The URL after `label: ` in a plain-text body."""
    for line in text.splitlines():
        if line.startswith(f"{label}: "):
            return line.split(": ", 1)[1].strip()
    raise AssertionError(f"no {label} link in:\n{text}")
