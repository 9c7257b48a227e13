"""Whole numbers from outside (URL parts, form fields, JSON values): one parser for ids and counts.

Only ASCII digits count (`str.isdigit()` also accepts "²", which `int()` refuses), and only values
SQLite can compare (1..2**63-1 for ids): anything else is "no such thing", never a 500.
"""
from __future__ import annotations

import re

from werkzeug.routing import BaseConverter, ValidationError

MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")  # 19 digits hold every 64-bit value; longer text is never parsed


def parse_number(value: object, low: int, high: int) -> int | None:
    """`value` as a whole number in low..high (an int, or text of ASCII digits), else None."""
    if isinstance(value, bool):  # JSON true is not 1
        return None
    if isinstance(value, str):
        text = value.strip()
        if not _DIGITS.fullmatch(text):
            return None
        value = int(text)
    if isinstance(value, int) and low <= value <= high:
        return value
    return None


def parse_id(value: object) -> int | None:
    """A row id from outside, or None when it cannot name a row (callers answer 404, 400 or 422)."""
    return parse_number(value, 1, MAX_ID)


def _up_to(limit: int) -> str:
    """A regular expression for 1..limit written without leading zeros."""
    digits = str(limit)
    choices = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"]  # every number with fewer digits
    for i, digit in enumerate(digits):  # same length: equal up to i, then a smaller digit, then anything
        lowest = 1 if i == 0 else 0
        if int(digit) > lowest:
            choices.append(f"{digits[:i]}[{lowest}-{int(digit) - 1}][0-9]{{{len(digits) - i - 1}}}")
    choices.append(digits)
    return "(?:" + "|".join(choices) + ")"


class IdConverter(BaseConverter):
    """`<id:name>` in a route: only a possible row id matches, so anything else is a 404.

    The range is in the pattern, not only in to_python: werkzeug answers 405 instead of 404 when a
    converter refuses a path that another method's rule also has.
    """

    regex = _up_to(MAX_ID)
    weight = 50  # as werkzeug's int converter

    def to_python(self, value: str) -> int:
        parsed = parse_id(value)
        if parsed is None:
            raise ValidationError()
        return parsed

    def to_url(self, value: object) -> str:
        return str(int(value))  # type: ignore[call-overload]
