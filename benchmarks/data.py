"""A deterministic 1,000-event calendar and a deterministic set of 10 changes to it.

The mix: UTC and Europe/Berlin timed events, all-day and multi-day all-day events, weekly series with
EXDATE and an override in the same resource, cancelled and transparent events. Events are placed
relative to a start day so that they fall inside the sync window whatever day the benchmark runs.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

BERLIN_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""


@dataclass
class Resource:
    uid: str
    body: str  # the VEVENT component(s), without VCALENDAR

    def ics(self) -> str:
        tz = BERLIN_VTIMEZONE + "\n" if "TZID=Europe/Berlin" in self.body else ""
        return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Slotwise bench//EN\n{tz}{self.body}\nEND:VCALENDAR\n"


def _fmt(dt: datetime) -> str:
    return dt.strftime("%Y%m%dT%H%M%S")


def _event(uid: str, kind: str, start: datetime, minutes: int, rng: random.Random, n: int) -> str:
    stamp = "DTSTAMP:20260101T000000Z"
    summary = f"SUMMARY:Bench event {n}"
    if kind == "utc":
        times = f"DTSTART:{_fmt(start)}Z\nDTEND:{_fmt(start + timedelta(minutes=minutes))}Z"
    elif kind == "berlin":
        times = (f"DTSTART;TZID=Europe/Berlin:{_fmt(start)}\n"
                 f"DTEND;TZID=Europe/Berlin:{_fmt(start + timedelta(minutes=minutes))}")
    elif kind == "allday":
        days = rng.choice([1, 1, 1, 2, 3])
        times = (f"DTSTART;VALUE=DATE:{start.strftime('%Y%m%d')}\n"
                 f"DTEND;VALUE=DATE:{(start + timedelta(days=days)).strftime('%Y%m%d')}")
    elif kind == "cancelled":
        times = f"DTSTART:{_fmt(start)}Z\nDTEND:{_fmt(start + timedelta(minutes=minutes))}Z\nSTATUS:CANCELLED"
    elif kind == "transparent":
        times = f"DTSTART:{_fmt(start)}Z\nDTEND:{_fmt(start + timedelta(minutes=minutes))}Z\nTRANSP:TRANSPARENT"
    else:  # weekly series with an EXDATE and one moved occurrence (override in the same resource)
        exdate = start + timedelta(weeks=2)
        moved = start + timedelta(weeks=3)
        master = (f"BEGIN:VEVENT\nUID:{uid}\n{stamp}\n{summary}\n"
                  f"DTSTART;TZID=Europe/Berlin:{_fmt(start)}\n"
                  f"DTEND;TZID=Europe/Berlin:{_fmt(start + timedelta(minutes=minutes))}\n"
                  f"RRULE:FREQ=WEEKLY;COUNT=12\nEXDATE;TZID=Europe/Berlin:{_fmt(exdate)}\nEND:VEVENT")
        override = (f"BEGIN:VEVENT\nUID:{uid}\n{stamp}\nSUMMARY:Bench event {n} (moved)\n"
                    f"RECURRENCE-ID;TZID=Europe/Berlin:{_fmt(moved)}\n"
                    f"DTSTART;TZID=Europe/Berlin:{_fmt(moved + timedelta(hours=2))}\n"
                    f"DTEND;TZID=Europe/Berlin:{_fmt(moved + timedelta(hours=2, minutes=minutes))}\nEND:VEVENT")
        return master + "\n" + override
    return f"BEGIN:VEVENT\nUID:{uid}\n{stamp}\n{summary}\n{times}\nEND:VEVENT"


KINDS = ["utc"] * 40 + ["berlin"] * 30 + ["allday"] * 10 + ["weekly"] * 10 + ["cancelled"] * 5 + ["transparent"] * 5


def generate(first_day: date, count: int = 1000, seed: int = 20261128) -> list[Resource]:
    """`count` resources spread over the 150 days from `first_day`, the same for the same inputs."""
    rng = random.Random(seed)
    resources = []
    for n in range(count):
        kind = KINDS[n % len(KINDS)]
        day = first_day + timedelta(days=rng.randrange(150))
        start = datetime(day.year, day.month, day.day, rng.randrange(7, 19), rng.choice([0, 15, 30, 45]))
        uid = f"bench-{n:04d}@slotwise-bench"
        resources.append(Resource(uid, _event(uid, kind, start, rng.choice([30, 45, 60, 90]), rng, n)))
    return resources


def whole_collection(resources: list[Resource]) -> str:
    """One VCALENDAR holding every resource, for a single whole-collection PUT."""
    bodies = "\n".join(r.body for r in resources)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Slotwise bench//EN\n{BERLIN_VTIMEZONE}\n{bodies}\nEND:VCALENDAR\n"


def ten_changes(resources: list[Resource], first_day: date) -> tuple[list[Resource], Resource, Resource]:
    """8 edits (new summary and time), 1 addition, 1 deletion, chosen among the simple UTC events."""
    simple = [r for r in resources if "DTSTART:" in r.body and "RRULE" not in r.body and "STATUS" not in r.body
              and "TRANSP" not in r.body]
    edits = []
    for i, r in enumerate(simple[:8]):
        start = datetime(first_day.year, first_day.month, first_day.day, 12) + timedelta(days=3 + i)
        edits.append(Resource(r.uid, _event(r.uid, "utc", start, 60, random.Random(i), 9000 + i)))
    added_uid = "bench-added@slotwise-bench"
    start = datetime(first_day.year, first_day.month, first_day.day, 15) + timedelta(days=5)
    added = Resource(added_uid, _event(added_uid, "utc", start, 30, random.Random(1), 9999))
    return edits, added, simple[8]
