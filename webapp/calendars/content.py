"""Content lines of a calendar object (RFC 5545 §3.1): unfolding, splitting, and the reduction of an
object to what bears on busy time before icalendar reads it.

Pure text work, shared by the quick reader (`reading.py`) and the full reader (`ical.py`).
"""
from __future__ import annotations

import hashlib
import re

from ..times import all_zones as iana_zones  # one home for the zone list: webapp.times

UNFOLD = re.compile(r"\r?\n[ \t]")
_NAME = re.compile(r"[A-Za-z0-9-]+(?=[;:])")
_VTIMEZONE = re.compile(r"BEGIN:VTIMEZONE\r?\n.*?END:VTIMEZONE\r?\n", re.S)
_TZID = re.compile(r"TZID[=:]\"?([^;:\"\r\n]+)")

# What bears on busy time; everything else an event carries (alarms, GEO, ATTACH, other X- properties,
# …) is left out before parsing, so a malformed one never makes the event unreadable. Apple's travel
# time and the invitation's ORGANIZER and ATTENDEEs feed the per-calendar rules (calendars/rules.py).
TRAVEL = "X-APPLE-TRAVEL-DURATION"
_EVENT_PROPERTIES = frozenset({"UID", "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "EXRULE",
                               "RECURRENCE-ID", "STATUS", "TRANSP", "SUMMARY", "SEQUENCE", TRAVEL,
                               "ORGANIZER", "ATTENDEE"})
UNANSWERED = frozenset({"NEEDS-ACTION", "TENTATIVE"})  # an ATTENDEE's PARTSTAT (NEEDS-ACTION when absent)
_KEPT = {"VEVENT": _EVENT_PROPERTIES, "VTODO": _EVENT_PROPERTIES, "VJOURNAL": _EVENT_PROPERTIES,
         "VCALENDAR": frozenset({"CALSCALE"})}
_CHILDREN = {"VCALENDAR": frozenset({"VEVENT", "VTODO", "VJOURNAL", "VTIMEZONE"})}


def split(line: str) -> tuple[str | None, dict[str, str], str]:
    """A content line → (NAME, {PARAM: value}, value); name None when the line is not one."""
    colon = line.find(":")
    semi = line.find(";")
    if colon <= 0:
        return None, {}, ""
    if semi == -1 or semi > colon:
        return line[:colon].upper(), {}, line[colon + 1:]
    name = line[:semi].upper()
    params: dict[str, str] = {}
    rest = line[semi + 1:]
    while True:
        key, eq, rest = rest.partition("=")
        if not eq or not key or '"' in key or ":" in key:
            return None, {}, ""
        if rest.startswith('"'):
            close = rest.find('"', 1)
            if close == -1:
                return None, {}, ""
            value, rest = rest[1:close], rest[close + 1:]
        else:
            stop = min((i for i in (rest.find(";"), rest.find(":")) if i != -1), default=-1)
            if stop == -1:
                return None, {}, ""
            value, rest = rest[:stop], rest[stop:]
        params[key.upper()] = value
        if rest.startswith(";"):
            rest = rest[1:]
        elif rest.startswith(":"):
            return name, params, rest[1:]
        else:
            return None, {}, ""


def same_address(value: str, address: str | None) -> bool:
    """Whether a calendar user address (`mailto:…`, any case) is the account's e-mail `address`."""
    if not address:
        return False
    value = value.strip()
    if value[:7].lower() == "mailto:":
        value = value[7:]
    return value.strip().casefold() == address.strip().casefold()


def travel_minutes(delta) -> int:
    """Whole minutes of a travel duration (a timedelta), 0 when negative or not a duration."""
    seconds = getattr(delta, "total_seconds", None)
    return max(0, int(seconds() // 60)) if seconds else 0


def without_known_vtimezones(text: str) -> str:
    """Drop VTIMEZONE blocks when every TZID the object uses is an IANA zone name.

    icalendar resolves such names with zoneinfo (the VTIMEZONE is not consulted), and parsing the
    blocks is about half the cost of reading a typical iCloud event. Custom zone names keep theirs.
    """
    if "BEGIN:VTIMEZONE" not in text:
        return text
    zones = iana_zones()
    outside = _VTIMEZONE.sub("", text)
    if all(name.strip() in zones for name in _TZID.findall(outside)):
        return outside
    return text


def busy_relevant(text: str) -> str:
    """The object with only what bears on busy time, each custom time zone named after its definition.

    icalendar keeps the VTIMEZONE it saw first under each TZID for the life of the process, so two
    objects defining "Customized Time Zone" differently would both be read with the first definition.
    Renaming a custom TZID to "<TZID>#<digest of its definition>" gives each object its own, and lets
    icalendar build each distinct definition once. IANA names keep zoneinfo's rules, as icalendar does.
    A text whose components do not nest properly is returned as it is, for the parser to judge.
    """
    text = without_known_vtimezones(text)  # the usual case, cheaply: every zone an IANA name
    lines = UNFOLD.sub("", text).splitlines()
    out: list[str] = []
    stack: list[tuple[str, bool, bool]] = []  # (component, kept, keep every property)
    zones: dict[str, tuple[int, int]] = {}  # custom TZID → (first, last) index in `out` of its block
    zone_start = 0
    for line in lines:
        match = _NAME.match(line)
        name = match.group(0).upper() if match else None
        if name in ("BEGIN", "END"):
            component = line[match.end() + 1:].strip().upper()
            if name == "BEGIN":
                parent, parent_kept, parent_whole = stack[-1] if stack else ("", True, True)
                if not stack or parent_whole:
                    kept, whole = parent_kept, component not in _KEPT
                else:
                    kept = parent_kept and component in _CHILDREN.get(parent, ())
                    whole = component not in _KEPT
                stack.append((component, kept, whole))
                if component == "VTIMEZONE" and kept:
                    zone_start = len(out)
            elif not stack or stack[-1][0] != component:
                return text
            else:
                kept = stack.pop()[1]
            if kept:
                out.append(line)
            if name == "END" and component == "VTIMEZONE" and kept:
                tzid = next((v for n, _, v in map(split, out[zone_start:]) if n == "TZID"), None)
                if tzid is not None and tzid.strip() not in iana_zones():
                    zones.setdefault(tzid, (zone_start, len(out)))
            continue
        if not stack:
            out.append(line)
            continue
        component, kept, whole = stack[-1]
        if kept and (whole or name is None or name in _KEPT[component]):
            out.append(line)
    if stack:
        return text
    if zones:
        _name_zones_by_definition(out, zones)
    reduced = "\n".join(out) + "\n"
    return without_known_vtimezones(reduced) if "BEGIN:VTIMEZONE" in reduced else reduced


def _name_zones_by_definition(out: list[str], zones: dict[str, tuple[int, int]]) -> None:
    renamed = {}
    for tzid, (first, last) in zones.items():
        digest = hashlib.blake2b("\n".join(out[first:last]).encode(), digest_size=8).hexdigest()
        renamed[tzid] = f"{tzid}#{digest}"
    for i, line in enumerate(out):
        if "TZID" not in line:
            continue
        name, params, value = split(line)
        if name == "TZID" and value in renamed:
            out[i] = f"TZID:{renamed[value]}"
        elif name is not None and params.get("TZID") in renamed:
            params["TZID"] = renamed[params["TZID"]]
            out[i] = name + "".join(f";{k}={_quoted(v)}" for k, v in params.items()) + ":" + value


def _quoted(value: str) -> str:
    return f'"{value}"' if any(c in value for c in ';:,') else value
