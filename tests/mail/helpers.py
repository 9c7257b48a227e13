"""Booking and self-service through the HTTP interface, as a visitor's browser would."""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit


def csrf_of(html: str) -> str:
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def book(client, owner, start: datetime, name: str = "Grace Hopper", email: str = "grace@example.com",
         tz: str = "America/New_York", note: str = "", address: str = "192.0.2.10"):
    """POST the public booking form; returns the response (303 to the confirmation when booked)."""
    env = {"REMOTE_ADDR": address}
    form = client.get(f"/book/{owner.booking_slug}/form", query_string={"start": start.isoformat(), "tz": tz},
                      environ_base=env)
    return client.post(f"/book/{owner.booking_slug}", environ_base=env, data={
        "csrf_token": csrf_of(form.get_data(as_text=True)), "start": start.isoformat(), "tz": tz,
        "name": name, "email": email, "note": note})


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def slot_values(html: str) -> list[str]:
    return re.findall(r'name="start" value="([^"]+)"', html)
