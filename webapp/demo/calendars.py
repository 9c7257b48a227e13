"""The demo's iCloud-like calendars, dated from today so the week view and booking page have something.

Robin's main Apple ID has Work (the Primary Calendar) and Home (Check for Conflicts): a weekly series
that crosses the next daylight-saving change, an all-day event, a cancelled one, a free one and an
event set in another time zone. A second Apple ID with a Family calendar is left for Connect by hand.
Robin also subscribes to a school's calendar by link (`school_feed`, served by `feed_server.py`).
"""
from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

ZONE = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


@dataclass
class DemoEvent:
    uid: str
    summary: str
    start: datetime | date
    end: datetime | date
    rrule: dict | None = None
    status: str | None = None
    transparent: bool = False


@dataclass
class DemoCalendar:
    calendar_id: str
    name: str
    color: str
    events: list[DemoEvent] = field(default_factory=list)


@dataclass
class DemoAppleId:
    email: str
    password: str
    calendars: list[DemoCalendar]


def app_specific_password() -> str:
    """Shaped like Apple's: four groups of four lowercase letters."""
    letters = "".join(secrets.choice(string.ascii_lowercase) for _ in range(16))
    return "-".join(letters[i:i + 4] for i in range(0, 16, 4))


def next_dst_change(today: date, zone: ZoneInfo = ZONE) -> date:
    """The first day after `today` whose UTC offset differs from the day before (within a year)."""
    def offset(day: date) -> timedelta | None:
        return datetime.combine(day, time(12), tzinfo=zone).utcoffset()

    for n in range(1, 370):
        if offset(today + timedelta(days=n)) != offset(today + timedelta(days=n - 1)):
            return today + timedelta(days=n)
    return today + timedelta(days=180)  # a zone without daylight saving: any half-year will do


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = ZONE) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def demo_apple_ids(today: date) -> tuple[DemoAppleId, DemoAppleId]:
    """(the account the demo user has connected, the one left for Connect by hand)."""
    dst = next_dst_change(today)
    series_until = at(dst + timedelta(weeks=3), 23, 59).astimezone(timezone.utc)
    work = DemoCalendar("work", "Work", "#1BADF8FF", [
        DemoEvent("demo-team-sync", "Team sync", at(today - timedelta(weeks=1), 10),
                  at(today - timedelta(weeks=1), 11), rrule={"freq": "weekly", "until": series_until}),
        DemoEvent("demo-client-call", "Client call: Northwind", at(today, 14), at(today, 15)),
        DemoEvent("demo-planning", "Quarterly planning", at(today + timedelta(days=1), 9, 30),
                  at(today + timedelta(days=1), 12)),
        DemoEvent("demo-offsite", "Team offsite", today + timedelta(days=3), today + timedelta(days=4)),
        DemoEvent("demo-new-york", "Call with the New York office", at(today + timedelta(days=2), 9, zone=NEW_YORK),
                  at(today + timedelta(days=2), 10, zone=NEW_YORK)),
    ])
    home = DemoCalendar("home", "Home", "#FF2968FF", [
        DemoEvent("demo-dentist", "Dentist (cancelled)", at(today + timedelta(days=2), 11),
                  at(today + timedelta(days=2), 12), status="CANCELLED"),
        DemoEvent("demo-lunch", "Lunch with Sam (free)", at(today, 12), at(today, 13), transparent=True),
        DemoEvent("demo-gym", "Gym", at(today + timedelta(days=1), 16), at(today + timedelta(days=1), 17)),
    ])
    family = DemoCalendar("family", "Family", "#63DA38FF", [
        DemoEvent("demo-piano", "Piano lesson", at(today + timedelta(days=1), 15), at(today + timedelta(days=1), 16),
                  rrule={"freq": "weekly", "count": 10}),
        DemoEvent("demo-grandma", "Grandma visiting", today + timedelta(days=5), today + timedelta(days=7)),
    ])
    main = DemoAppleId("robin@icloud.example", app_specific_password(), [work, home])
    second = DemoAppleId("robin.family@icloud.example", app_specific_password(), [family])
    return main, second


def ics(*events: DemoEvent) -> str:
    """One VCALENDAR with these events (one for a CalDAV object; several for the demo's subscribed feed)."""
    cal = Calendar()
    cal.add("prodid", "-//Slotwise//demo//EN")
    cal.add("version", "2.0")
    for event in events:
        vevent = Event()
        vevent.add("uid", f"{event.uid}@demo.slotwise")
        vevent.add("dtstamp", datetime.now(timezone.utc))
        vevent.add("summary", event.summary)
        vevent.add("dtstart", event.start)
        vevent.add("dtend", event.end)
        if event.rrule:
            vevent.add("rrule", event.rrule)
        if event.status:
            vevent.add("status", event.status)
        if event.transparent:
            vevent.add("transp", "TRANSPARENT")
        cal.add_component(vevent)
    cal.add_missing_timezones()
    return cal.to_ical().decode()


def school_feed(today: date) -> list[DemoEvent]:
    """The demo's subscribed calendar (a school timetable shared by link): an evening and a holiday."""
    evening = today + timedelta(days=2)
    holiday = today + timedelta(days=8)
    return [
        DemoEvent("demo-parents-evening", "Parents' evening", at(evening, 17), at(evening, 19)),
        DemoEvent("demo-school-holiday", "School holiday", holiday, holiday + timedelta(days=1)),
    ]
