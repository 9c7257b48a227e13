"""A feed → one calendar object per UID, the shape a CalDAV calendar hands over (pure text work).

A feed is one VCALENDAR with every event in it. Cut into one object per UID (a series' master with its
overrides) carrying the VTIMEZONEs it names, each object is read by the same readers as a CalDAV object
(`webapp.calendars.reading`), so recurrences, all-day, TRANSP and CANCELLED mean the same, and an event
that cannot be read is skipped alone. Each object's etag is a digest of its text: an unchanged event is
not read again, a changed one is.
"""
from __future__ import annotations

import hashlib

from ..calendars.content import UNFOLD, split

_HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Slotwise//Subscribed calendar//EN\r\n"
_MAX_HREF = 500


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=16).hexdigest()


def _blocks(text: str) -> tuple[list[tuple[str, list[str]]], int]:
    """The components directly inside the VCALENDAR(s), as (name, lines); and how many were cut off."""
    blocks: list[tuple[str, list[str]]] = []
    broken = 0
    stack: list[str] = []
    current: list[str] = []
    for line in UNFOLD.sub("", text).splitlines():
        head = line[:6].upper()
        if head == "BEGIN:":
            name = line[6:].strip().upper()
            if not stack:
                stack.append(name)
                continue
            if len(stack) >= 2 and name == stack[1]:  # e.g. a VEVENT that never ended before the next one
                broken += 1
                stack, current = stack[:1], []
            stack.append(name)
            current.append(line)
        elif line[:4].upper() == "END:":
            name = line[4:].strip().upper()
            if name not in stack:
                continue  # an END for nothing open: ignored
            while stack and stack[-1] != name:  # components left open inside: closed with it
                stack.pop()
            stack.pop()
            if not stack:
                continue  # the VCALENDAR's own END
            current.append(line)
            if len(stack) == 1:
                blocks.append((name, current))
                current = []
        elif len(stack) >= 2:
            current.append(line)
    if len(stack) >= 2:
        broken += 1
    return blocks, broken


def _property(lines: list[str], wanted: str) -> str | None:
    """The value of the component's own property `wanted` (not one of a nested VALARM)."""
    depth = 0
    for line in lines[1:-1]:
        name, _, value = split(line)
        if name == "BEGIN":
            depth += 1
        elif name == "END":
            depth -= 1
        elif depth == 0 and name == wanted:
            return value.strip()
    return None


def split_feed(text: str) -> tuple[dict[str, tuple[str, str]], int]:
    """(href → (etag, object text), number of components that were cut off and left out).

    The href is the event's UID (a digest of the event when it has none or a very long one).
    """
    blocks, broken = _blocks(text)
    zones: dict[str, list[str]] = {}
    events: dict[str, list[list[str]]] = {}
    for name, lines in blocks:
        if name == "VTIMEZONE":
            tzid = _property(lines, "TZID")
            if tzid:
                zones.setdefault(tzid, lines)
        elif name == "VEVENT":
            uid = _property(lines, "UID") or ""
            key = uid if uid and len(uid) <= _MAX_HREF else f"event-{_digest(chr(10).join(lines))}"
            events.setdefault(key, []).append(lines)
    objects: dict[str, tuple[str, str]] = {}
    for key, parts in events.items():
        event_lines = [line for lines in parts for line in lines]
        named = {split(line)[1].get("TZID") for line in event_lines if "TZID=" in line.upper()} if zones else set()
        body = [line for tzid in sorted(named - {None}) if tzid in zones for line in zones[tzid]] + event_lines
        data = _HEAD + "\r\n".join(body) + "\r\nEND:VCALENDAR\r\n"
        objects[key] = (_digest(data), data)
    return objects, broken
