"""A user's availability settings (My Profile → Availability): time zone and working hours, and the one way
to change them. Length, buffers, notice and horizon belong to each event type (webapp.event_types).

The view parses the form and calls `update`; every rule is here, so any other way in (an API, the CLI) gets
the same. `parse_ranges` also reads the ranges of a date override.
"""
from __future__ import annotations

import re

from .calendars.availability import RulesError, parse_working_hours
from .models import User
from .times import is_zone

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FIELDS = ["timezone", *(f"day{d}" for d in range(7))]
_RANGE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–—]\s*(\d{1,2}:\d{2})\s*$")


class SettingsRefused(ValueError):
    """Some fields are wrong; `errors` maps each to words the user can act on. Nothing was saved."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def ranges_text(ranges: list[list[str]]) -> str:
    return ", ".join(f"{a}–{b}" for a, b in ranges)


def parse_ranges(text: str) -> list[list[str]]:
    """"09:00–12:00, 13:00–17:00" → [["09:00", "12:00"], ["13:00", "17:00"]]; empty means a day off."""
    out = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        match = _RANGE.match(part)
        if not match:
            raise RulesError(f"{part!r} is not a range: write it like 09:00–17:00.")
        out.append([t.zfill(5) for t in match.groups()])
    return out


def settings_of(user: User) -> dict[str, str]:
    """The settings as the text of each field."""
    hours = user.working_hours
    values = {"timezone": user.timezone}
    values.update({f"day{d}": ranges_text(hours.get(str(d), [])) for d in range(7)})
    return values


def update(user: User, values: dict[str, str]) -> None:
    """Check every field of `values` (text, keys as FIELDS) and save them all, or raise SettingsRefused."""
    errors: dict[str, str] = {}
    if not is_zone(values.get("timezone", "")):
        errors["timezone"] = "Choose a time zone from the list, for example Europe/Berlin."
    hours: dict[str, list[list[str]]] = {}
    for d in range(7):
        try:
            ranges = parse_ranges(values.get(f"day{d}", ""))
            parse_working_hours({str(d): ranges})
        except RulesError as exc:
            errors[f"day{d}"] = str(exc)
            continue
        if ranges:
            hours[str(d)] = ranges
    if not errors and not hours:
        errors["day0"] = "Enter working hours on at least one day, or nobody can book you."
    if errors:
        raise SettingsRefused(errors)
    user.timezone = values["timezone"]
    user.working_hours = hours
    user.save()
