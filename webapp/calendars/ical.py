"""Pure iCalendar helpers: calendar objects → busy occurrences, and appointments → VEVENT text.

No Flask, no Peewee, no network. Every datetime that leaves this module is naive UTC, the form the
database stores.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar, Event, vDDDTypes, vDuration

from .content import busy_relevant, iana_zones, without_known_vtimezones  # noqa: F401 (one home: content)
from .content import TRAVEL, UNANSWERED, same_address, travel_minutes

# Occurrences are asked for over a wider window, then cut exactly: floating times are placed in the
# owner's zone only after the library returns them, and no zone is more than 14 h from UTC.
_MARGIN = timedelta(days=2)


class UnparseableObject(ValueError):
    """A calendar object that cannot be read; the sync skips it and reports it with its href."""


@dataclass(frozen=True)
class Busy:
    """One occurrence that blocks time."""

    uid: str
    recurrence_id: str | None
    start: datetime  # naive UTC
    end: datetime  # naive UTC
    all_day: bool
    title: str
    travel_minutes: int = 0  # Apple's travel time before the event
    tentative: bool = False  # an invitation the account's address has not accepted


def parse(text: str | bytes) -> Calendar:
    """Parse one calendar object resource, or raise UnparseableObject."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    try:
        cal = Calendar.from_ical(busy_relevant(text))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise UnparseableObject(f"not valid iCalendar data ({exc})") from None
    if not isinstance(cal, Calendar):
        raise UnparseableObject("not a VCALENDAR")
    for event in cal.walk("VEVENT"):
        _one_end(event)
    return cal


def _dt(prop):
    """A property's value, or None when it is missing or broken (the reader reports broken ones later)."""
    try:
        return getattr(prop, "dt", None)
    except ValueError:  # icalendar's BrokenCalendarProperty
        return None


def _one_end(event: Event) -> None:
    """One rule for an event's end, single or repeating: DTEND wins over a DURATION beside it, and a
    DTEND of the other value type than DTSTART is read as that type (a DATE-TIME end of an all-day
    event is its date; a DATE end of a timed event is midnight in the start's zone)."""
    if "DTEND" in event and "DURATION" in event:
        del event["DURATION"]
    start, end = _dt(event.get("DTSTART")), _dt(event.get("DTEND"))
    if not isinstance(start, date) or not isinstance(end, date) or isinstance(start, datetime) == isinstance(end, datetime):
        return
    if isinstance(start, datetime):
        event["DTEND"] = vDDDTypes(datetime.combine(end, time(0), start.tzinfo))
    else:
        event["DTEND"] = vDDDTypes(end.date())


def _floating_in(zone: ZoneInfo, value):
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=zone)
    if isinstance(value, tuple):  # an RDATE period
        return tuple(_floating_in(zone, v) for v in value)
    return value


def _place_floating(cal: Calendar, zone: ZoneInfo) -> None:
    """Floating times are the owner's zone whatever else a series holds: placed there before expanding,
    a UTC EXDATE, RDATE or RECURRENCE-ID meets the occurrence at the same instant."""
    for event in cal.walk("VEVENT"):
        for name in ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE"):
            prop = event.get(name)
            for item in prop if isinstance(prop, list) else [prop]:
                for value in _dts(item):
                    dt = _dt(value)
                    if dt is not None:
                        value.dt = _floating_in(zone, dt)


def _dts(item) -> list:
    try:
        return getattr(item, "dts", [item])
    except ValueError:
        return []


def object_uid(text: str | bytes | Calendar) -> str | None:
    """The UID of the first VEVENT/VTODO/VJOURNAL of an object (None when it has none)."""
    try:
        cal = text if isinstance(text, Calendar) else parse(text)
    except UnparseableObject:
        return None
    for component in cal.walk():
        if component.name in ("VEVENT", "VTODO", "VJOURNAL") and component.get("UID"):
            return str(component.get("UID"))
    return None


def to_utc(value: date | datetime, zone: ZoneInfo) -> datetime:
    """A DATE (midnight in the owner's zone), a floating time (in the owner's zone) or an aware time → naive UTC."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0), zone)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def _recurrence_key(value: date | datetime | None, zone: ZoneInfo) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        return value.isoformat()
    return to_utc(value, zone).isoformat()


def _travel(event: Event) -> int:
    """Apple's travel time of the event in minutes (X-APPLE-TRAVEL-DURATION), 0 without one."""
    prop = event.get(TRAVEL)
    if isinstance(prop, list):
        return 0  # given twice: which one Apple meant cannot be told; the quick reader agrees
    value = _dt(prop)
    if value is None and prop is not None:
        try:
            value = vDuration.from_ical(str(prop))
        except (ValueError, TypeError):
            return 0
    return travel_minutes(value)


def _tentative(event: Event, address: str | None) -> bool:
    """An invitation to `address` it has not answered, or answered "maybe" (and not its own event)."""
    if not address or same_address(str(event.get("ORGANIZER", "")), address):
        return False
    attendees = event.get("ATTENDEE", [])
    for attendee in attendees if isinstance(attendees, list) else [attendees]:
        if same_address(str(attendee), address):
            params = getattr(attendee, "params", {})
            if str(params.get("PARTSTAT", "NEEDS-ACTION")).upper() in UNANSWERED:
                return True
    return False


def _occurrence(event: Event, zone: ZoneInfo, recurring: set[str], times: tuple | None = None,
                marks: tuple[int, bool] = (0, False)) -> Busy | None:
    """The Busy of one event, or of one occurrence of a series when `times` = (start, end, recurrence id)."""
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return None
    try:
        start_value, end_value, rid = times or (event.start, event.end, None)
    except (ValueError, TypeError, KeyError) as exc:
        raise UnparseableObject(f"event without a usable start or end ({exc})") from None
    all_day = not isinstance(start_value, datetime)
    start = to_utc(start_value, zone)
    if all_day and isinstance(end_value, datetime):
        end_value = end_value.date()
    end = to_utc(end_value, zone)
    if end < start:
        start, end = end, start  # an end before the start: swapped, as recurring-ical-events reads a series
    if all_day and end <= start:
        end = to_utc(start_value + timedelta(days=1), zone)
    if end <= start:
        return None  # a zero-length event blocks no time
    uid = str(event.get("UID", ""))
    return Busy(
        uid=uid,
        recurrence_id=_recurrence_key(rid if uid in recurring else None, zone),
        start=start,
        end=end,
        all_day=all_day,
        title=str(event.get("SUMMARY", "")),
        travel_minutes=marks[0],
        tentative=marks[1],
    )


def busy_occurrences(text: str | bytes | Calendar, start: datetime, end: datetime, zone: ZoneInfo,
                     address: str | None = None) -> list[Busy]:
    """Every occurrence of the object's events that blocks time and overlaps [start, end) (naive UTC).

    Recurrences are expanded here (never on the server: Radicale's expand is off by an hour across
    DST). Free (TRANSPARENT) and cancelled events or occurrences, VTODO and VJOURNAL do not block.
    `text` may be an already parsed Calendar (its floating times are then placed in `zone`).
    `address` is the account's e-mail, to tell invitations it has not answered (`Busy.tentative`).
    """
    cal = text if isinstance(text, Calendar) else parse(text)
    vevents = [c for c in cal.walk() if c.name == "VEVENT"]
    if not vevents:
        return []
    _place_floating(cal, zone)
    recurring = {
        str(c.get("UID", "")) for c in vevents if any(k in c for k in ("RRULE", "RDATE", "RECURRENCE-ID"))
    }
    # Most objects are one plain event: read it directly, without the expansion machinery.
    events = _expand(cal, start, end) if recurring else [(event, None) for event in vevents]
    found: dict[tuple[str, str | None, datetime], Busy] = {}
    marks: dict[int, tuple[int, bool]] = {}  # (travel minutes, tentative) of each component, read once
    for event, times in events:
        if id(event) not in marks:
            marks[id(event)] = (_travel(event), _tentative(event, address))
        busy = _occurrence(event, zone, recurring, times, marks[id(event)])
        if busy is None or busy.end <= start or busy.start >= end:
            continue
        found[(busy.uid, busy.recurrence_id, busy.start)] = busy
    return sorted(found.values(), key=lambda b: (b.start, b.end, b.uid))


def _expand(cal: Calendar, start: datetime, end: datetime) -> list[tuple[Event, tuple]]:
    """(source event, (start, end, recurrence id)) of each occurrence recurring-ical-events finds.

    The library's public `between()` copies the whole event for every occurrence, which is most of
    the cost of reading a series; its occurrences carry the same start and end (the copy's DTSTART and
    DTEND) and the event they come from, so they are read directly where the library offers them.
    """
    lo = start.replace(tzinfo=timezone.utc) - _MARGIN
    hi = end.replace(tzinfo=timezone.utc) + _MARGIN
    try:
        query = recurring_ical_events.of(cal, keep_recurrence_attributes=False)
        occurrences = getattr(query, "_occurrences_between", None)
        if occurrences is None:  # a release without it: the public way, one copy per occurrence
            return [(e, (e.start, e.end, e["RECURRENCE-ID"].dt)) for e in query.between(lo, hi)]
        found = []
        for occurrence in occurrences(lo, hi):
            source = occurrence._adapter._component
            rid = source.get("RECURRENCE-ID")
            found.append((source, (occurrence.start, occurrence.end, occurrence.start if rid is None else rid.dt)))
        return found
    except UnparseableObject:
        raise
    except Exception as exc:  # the library raises many kinds on bad series (BadRuleStringFormat, ValueError, …)
        raise UnparseableObject(f"the event's dates or repeat rule cannot be read ({type(exc).__name__})") from None


def appointment_ics(
    *,
    uid: str,
    start_utc: datetime,
    end_utc: datetime,
    zone_name: str,
    summary: str,
    description: str,
    dtstamp: datetime,
) -> str:
    """The VCALENDAR Slotwise writes for an appointment: times in the owner's zone with its VTIMEZONE.

    No ATTENDEE or ORGANIZER, so iCloud sends the contact no invitation of its own.
    """
    zone = ZoneInfo(zone_name)
    cal = Calendar()
    cal.add("prodid", "-//Slotwise//Booking//EN")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", dtstamp.replace(tzinfo=timezone.utc))
    if zone_name.upper() in ("UTC", "ETC/UTC"):
        event.add("dtstart", start_utc.replace(tzinfo=timezone.utc))
        event.add("dtend", end_utc.replace(tzinfo=timezone.utc))
    else:
        event.add("dtstart", start_utc.replace(tzinfo=timezone.utc).astimezone(zone))
        event.add("dtend", end_utc.replace(tzinfo=timezone.utc).astimezone(zone))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "OPAQUE")
    event.add("status", "CONFIRMED")
    cal.add_component(event)
    year = start_utc.year
    cal.add_missing_timezones(first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1))
    return cal.to_ical().decode("utf-8")
