"""Reading one calendar object into its UID and busy occurrences, fast for the common case.

Most objects a calendar holds are one plain event: a VEVENT with a start, an end or duration, maybe a
status, a transparency and a title, and no repeat rule. Building icalendar's component tree for it is
most of the cost of a first import, so such objects are read here from their content lines. Anything
else (repeat rules, several events, tasks, custom zones, a value this reader does not recognise) goes to
`ical.parse` and `ical.busy_occurrences`, which decide; both paths give the same answer (tested
against each other on every fixture and on generated events).
"""
from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from icalendar import vDuration

from . import content, ical

_DATE = re.compile(r"\d{8}")
_DATETIME = re.compile(r"\d{8}T\d{6}Z?")
_ESCAPED = re.compile(r"\\([\\,;:nN])")  # TEXT escapes, undone the way icalendar's parser does
# Properties that need the full reader when present in the event.
_NEEDS_FULL = frozenset({"RRULE", "RDATE", "EXDATE", "EXRULE", "RECURRENCE-ID"})
_READ = frozenset({"UID", "DTSTART", "DTEND", "DURATION", "STATUS", "TRANSP", "SUMMARY", content.TRAVEL,
                   "ORGANIZER"})


def read_object(text: str, start: datetime, end: datetime, zone: ZoneInfo,
                address: str | None = None) -> tuple[str | None, list[ical.Busy]]:
    """(UID, busy occurrences overlapping [start, end)) of one object; raises ical.UnparseableObject.

    `address` is the account's e-mail, to tell invitations it has not answered (`Busy.tentative`).
    """
    plain = read_plain(text, start, end, zone, address)
    if plain is not None:
        return plain
    cal = ical.parse(text)
    return ical.object_uid(cal), ical.busy_occurrences(cal, start, end, zone, address)


def read_plain(text: str, start: datetime, end: datetime, zone: ZoneInfo,
               address: str | None = None) -> tuple[str, list[ical.Busy]] | None:
    """The answer for a single non-repeating VEVENT, or None when the full reader must decide."""
    read = _event_properties(content.without_known_vtimezones(text))
    if read is None:
        return None
    props, attendees = read
    if "UID" not in props or "DTSTART" not in props:
        return None
    uid = _text(props["UID"][1])
    begins = _date_value(*props["DTSTART"])
    if begins is None or not uid:
        return None
    if "DTEND" in props:
        if "DURATION" in props:
            return None
        ends = _date_value(*props["DTEND"])
        if ends is None or isinstance(ends, datetime) != isinstance(begins, datetime):
            return None  # a DATE start with a DATE-TIME end, or the other way round
    elif "DURATION" in props:
        try:
            ends = begins + vDuration.from_ical(props["DURATION"][1])
        except (ValueError, TypeError):
            return None
    else:
        return None  # the default length differs by value type: leave it to the full reader
    start_utc, end_utc = ical.to_utc(begins, zone), ical.to_utc(ends, zone)
    if end_utc <= start_utc:
        return None  # zero or negative length: the full reader knows the rules
    status = _text(props.get("STATUS", ({}, ""))[1])
    transp = _text(props.get("TRANSP", ({}, "OPAQUE"))[1])
    title = _text(props.get("SUMMARY", ({}, ""))[1])
    if status.upper() == "CANCELLED" or transp.upper() == "TRANSPARENT":
        return uid, []
    travel = 0
    if content.TRAVEL in props:
        try:
            travel = content.travel_minutes(vDuration.from_ical(props[content.TRAVEL][1]))
        except (ValueError, TypeError):
            travel = 0
    busy = ical.Busy(uid=uid, recurrence_id=None, start=start_utc, end=end_utc,
                     all_day=not isinstance(begins, datetime), title=title, travel_minutes=travel,
                     tentative=_tentative(props, attendees, address))
    if busy.end <= start or busy.start >= end:
        return uid, []
    return uid, [busy]


def _tentative(props: dict, attendees: list[tuple[dict[str, str], str]], address: str | None) -> bool:
    """As ical._tentative: `address` is an ATTENDEE that has not accepted, and not the ORGANIZER."""
    if not address or content.same_address(props.get("ORGANIZER", ({}, ""))[1], address):
        return False
    return any(content.same_address(value, address)
               and params.get("PARTSTAT", "NEEDS-ACTION").upper() in content.UNANSWERED
               for params, value in attendees)


Properties = dict[str, tuple[dict[str, str], str]]


def _event_properties(text: str) -> tuple[Properties, list[tuple[dict[str, str], str]]] | None:
    """The read properties and the ATTENDEEs of the only VEVENT, or None when the object is anything but
    one plain event."""
    lines = content.UNFOLD.sub("", text).splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) < 4 or lines[0].upper() != "BEGIN:VCALENDAR" or lines[-1].upper() != "END:VCALENDAR":
        return None
    found: Properties = {}
    attendees: list[tuple[dict[str, str], str]] = []
    path: list[str] = []
    events = 0
    for line in lines[1:-1]:
        name, params, value = content.split(line)
        if name is None:
            return None
        if name in ("BEGIN", "END"):
            component = value.upper()
            if name == "BEGIN":
                allowed = ("VEVENT",) if not path else ("VALARM",) if path == ["VEVENT"] else ()
                if component not in allowed:
                    return None
                events += component == "VEVENT"
                path.append(component)
            elif not path or path.pop() != component:
                return None
            continue
        if path != ["VEVENT"]:
            continue  # calendar properties, alarm properties
        if name in _NEEDS_FULL or (name in _READ and name in found):
            return None
        if name in _READ:
            found[name] = (params, value)
        elif name == "ATTENDEE":
            attendees.append((params, value))
    return (found, attendees) if events == 1 and not path else None


def _date_value(params: dict[str, str], value: str) -> date | datetime | None:
    """A DATE or DATE-TIME in one of the forms read here (UTC, floating, IANA TZID); None otherwise."""
    if set(params) - {"TZID", "VALUE"}:
        return None
    kind = params.get("VALUE", "").upper()
    zone_name = params.get("TZID")
    try:
        if _DATE.fullmatch(value) and kind in ("", "DATE") and zone_name is None:
            return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
        if not _DATETIME.fullmatch(value) or kind not in ("", "DATE-TIME"):
            return None
        moment = datetime(int(value[:4]), int(value[4:6]), int(value[6:8]),
                          int(value[9:11]), int(value[11:13]), int(value[13:15]))
    except ValueError:
        return None
    if value.endswith("Z"):
        return None if zone_name is not None else moment.replace(tzinfo=ZoneInfo("UTC"))
    if zone_name is None:
        return moment  # floating: the owner's zone, as in the full reader
    if zone_name.strip() != zone_name or zone_name not in content.iana_zones():
        return None
    return moment.replace(tzinfo=ZoneInfo(zone_name))


def _text(value: str) -> str:
    return _ESCAPED.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)
