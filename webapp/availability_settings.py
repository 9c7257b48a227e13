"""A user's availability settings (My Profile → Availability): their limits and the one way to change them.

Time zone, working hours per weekday, slot length, buffers, minimum notice and booking horizon. The view
parses the form and calls `update`; every rule is here, so any other way in (an API, the CLI) gets the same.
"""
from __future__ import annotations

import re

from .calendars.availability import RulesError, parse_working_hours
from .models import User
from .times import is_zone

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# field → (label, lowest, highest, unit words for the error)
NUMBERS = {
    "slot_minutes": ("Slot length", 5, 480, "minutes"),
    "buffer_before_minutes": ("Buffer before", 0, 240, "minutes"),
    "buffer_after_minutes": ("Buffer after", 0, 240, "minutes"),
    "min_notice_minutes": ("Minimum notice", 0, 60 * 24 * 30, "minutes"),
    "horizon_days": ("Booking horizon", 1, 365, "days"),
}
FIELDS = ["timezone", *(f"day{d}" for d in range(7)), *NUMBERS]
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
    values.update({key: str(getattr(user, key)) for key in NUMBERS})
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
    numbers: dict[str, int] = {}
    for key, (label, low, high, unit) in NUMBERS.items():
        raw = values.get(key, "").strip()
        if not raw.isdigit() or not low <= int(raw) <= high:
            errors[key] = f"{label} is a whole number of {unit} from {low} to {high}."
        else:
            numbers[key] = int(raw)
    if not errors and not hours:
        errors["day0"] = "Enter working hours on at least one day, or nobody can book you."
    if errors:
        raise SettingsRefused(errors)
    user.timezone = values["timezone"]
    user.working_hours = hours
    for key, value in numbers.items():
        setattr(user, key, value)
    user.save()
