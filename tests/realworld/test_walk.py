"""The walk: every calendar shipped in the test folders of the installed icalendar and recurring-ical-events
(real-world files from Google, Outlook, Thunderbird, Apple and others), split into CalDAV objects by UID,
read by the quick and the full reader, which must agree with each other and with the reading rules of
issue 12.9. No object may crash a reader (only `UnparseableObject` is allowed) or hang one.

The counts (objects read, skipped with reasons, compared) are printed in the terminal summary and written
to `docs/realworld-walk.md`.
"""
from __future__ import annotations

import re
import signal
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from webapp.calendars import ical, reading

SOURCES = [Path(icalendar.__file__).parent / "tests" / "calendars",
           Path(recurring_ical_events.__file__).parent / "test" / "calendars"]
ZONES = [ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")]
HANG_SECONDS = 20  # far above any honest read (the slowest takes well under a second)
DOC = Path(__file__).parents[2] / "docs" / "realworld-walk.md"

_START = re.compile(r"^DTSTART[^:\r\n]*:(\d{8})", re.M)
_FLOATING = re.compile(r"^(DTSTART|DTEND|RECURRENCE-ID|EXDATE|RDATE)((?:;(?!TZID)[^:\r\n]*)?):(\d{8}T\d{6}(?:,\d{8}T\d{6})*)\r?$",
                       re.M)
_NOISE = ("GEO:not;a;geo\nATTACH;VALUE=BINARY;ENCODING=BASE64:!!!\nX-BROKEN;X-P=\"unclosed:x\n"
          "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER;RELATED=START:PT-2H\nEND:VALARM\n")


class Hang(Exception):
    pass


@dataclass
class CalendarObject:
    name: str  # file and UID
    text: str


@dataclass
class Tally:
    files: int = 0
    objects: int = 0
    read: int = 0
    unreadable: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    compared: int = 0
    checks: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def split_objects(path: Path, tally: Tally) -> list[CalendarObject]:
    """CalDAV objects from one file: per UID its components, with every VTIMEZONE of the file."""
    text = path.read_bytes().decode("utf-8", "replace").replace("\r\n", "\n")
    lines = re.sub(r"\n[ \t]", "\x00", text).split("\n")  # keep folds, but split only real lines
    zones: list[str] = []
    by_uid: dict[str, list[str]] = {}
    depth, block, uid, kind = 0, [], None, None
    header: list[str] = []
    for raw in lines:
        line = raw.replace("\x00", "\n ")
        upper = raw.upper()
        if upper.startswith("BEGIN:"):
            depth += 1
            if depth == 2:
                block, uid, kind = [], None, upper[6:].strip()
        if depth >= 2:
            block.append(line)
            if depth == 2 and upper.startswith("UID") and upper[3:4] in (":", ";"):
                uid = raw.split(":", 1)[1].strip()
        elif depth == 1 and not upper.startswith(("BEGIN:", "END:")) and upper.split(":")[0] in ("VERSION", "PRODID", "CALSCALE"):
            header.append(line)
        if upper.startswith("END:"):
            if depth == 2:
                if kind == "VTIMEZONE":
                    zones.append("\n".join(block))
                elif kind in ("VEVENT", "VTODO", "VJOURNAL"):
                    if uid:
                        by_uid.setdefault(uid, []).append("\n".join(block))
                    else:
                        tally.skipped["component without UID (CalDAV needs one)"] += 1
                else:
                    tally.skipped[f"{kind} component (not read for busy time)"] += 1
            depth = max(0, depth - 1)
    head = "\n".join(["BEGIN:VCALENDAR", *(header or ["VERSION:2.0", "PRODID:-//walk//EN"])])
    return [CalendarObject(f"{path.parent.parent.name}/{path.name} {uid}",
                           "\n".join([head, *zones, *components, "END:VCALENDAR"]) + "\n")
            for uid, components in by_uid.items()]


def outside_zones(text: str, change) -> str:
    """`change` applied to the object's text outside its VTIMEZONE blocks."""
    parts = re.split(r"(BEGIN:VTIMEZONE\n.*?END:VTIMEZONE\n)", text, flags=re.S)
    return "".join(part if part.startswith("BEGIN:VTIMEZONE") else change(part) for part in parts)


def window_of(text: str) -> tuple[datetime, datetime]:
    found = _START.search(re.sub(r"BEGIN:VTIMEZONE\n.*?END:VTIMEZONE\n", "", text, flags=re.S))
    first = datetime.strptime(found.group(1), "%Y%m%d") if found else datetime(2026, 1, 1)
    return first - timedelta(days=2), first + timedelta(days=400)


def answer(read, text: str, start: datetime, end: datetime, zone: ZoneInfo):
    """What a reader says: (uid, busy) or "unreadable: reason"; a crash or a hang fails the walk."""
    signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # icalendar warns about the odd shapes these files test
            return read(text, start, end, zone)
    except ical.UnparseableObject as exc:
        return f"unreadable: {str(exc).split(' (')[0]}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def quick(text, start, end, zone):
    return reading.read_object(text, start, end, zone)


def full(text, start, end, zone):
    cal = ical.parse(text)
    return ical.object_uid(cal), ical.busy_occurrences(cal, start, end, zone)


def times(result) -> object:
    return result if isinstance(result, str) else sorted((b.start, b.end, b.all_day) for b in result[1])


def with_floating_in(zone: ZoneInfo, text: str) -> str:
    """The same object with every floating time written as a time in `zone` (rule 1, stated as text)."""
    return outside_zones(text, lambda part: _FLOATING.sub(
        lambda m: f"{m.group(1)}{m.group(2)};TZID={zone.key}:{m.group(3)}", part))


def with_noise(text: str) -> str:
    """Every event with a malformed alarm, GEO, ATTACH and X- property added (rule 2)."""
    return re.sub(r"^END:VEVENT$", _NOISE + "END:VEVENT", text, flags=re.M)


def as_series(text: str) -> str | None:
    """A single timed or all-day event as a series of one (rule 4); None when it is not single."""
    if text.count("BEGIN:VEVENT") != 1 or re.search(r"^(RRULE|RDATE|RECURRENCE-ID|EXRULE)", text, re.M):
        return None
    return re.sub(r"^END:VEVENT$", "RRULE:FREQ=DAILY;COUNT=1\nEND:VEVENT", text, flags=re.M)


def walk() -> Tally:
    tally = Tally()
    objects: list[CalendarObject] = []
    for source in SOURCES:
        for path in sorted(source.glob("*.ics")):
            tally.files += 1
            objects += split_objects(path, tally)
    tally.objects = len(objects)
    first_pass: dict[str, object] = {}
    for obj in objects:
        start, end = window_of(obj.text)
        for zone in ZONES:
            ours, theirs = answer(quick, obj.text, start, end, zone), answer(full, obj.text, start, end, zone)
            key = f"{obj.name} {zone.key}"
            first_pass[key] = ours
            if ours != theirs:
                tally.failures.append(f"{key}: quick {times(ours)} != full {times(theirs)}")
            tally.checks["quick = full"] += 1
            if isinstance(theirs, str):
                continue
            for rule, variant in (("floating = owner zone", with_floating_in(zone, obj.text)),
                                  ("alarms, GEO, ATTACH, X- do not matter", with_noise(obj.text)),
                                  ("single = series of one", as_series(obj.text))):
                if variant is None or variant == obj.text:
                    continue
                tally.checks[rule] += 1
                if times(answer(full, variant, start, end, zone)) != times(theirs):
                    tally.failures.append(f"{key}: rule '{rule}' broken: {times(theirs)}")
        verdict = first_pass[f"{obj.name} {ZONES[0].key}"]
        if isinstance(verdict, str):
            tally.unreadable[verdict] += 1
        else:
            tally.read += 1
            tally.compared += 1
    for obj in reversed(objects):  # rule 3: each object read with its own definitions, whatever came before
        start, end = window_of(obj.text)
        tally.checks["same answer in reverse order"] += 1
        again = answer(quick, obj.text, start, end, ZONES[0])
        if again != first_pass[f"{obj.name} {ZONES[0].key}"]:
            tally.failures.append(f"{obj.name}: read differently after other objects")
    return tally


def report(tally: Tally) -> list[str]:
    lines = [f"Walked {tally.files} files: {tally.objects} CalDAV objects; {tally.read} read and compared "
             f"(quick and full reader, {len(ZONES)} zones), {sum(tally.unreadable.values())} unreadable by both, "
             f"{sum(tally.skipped.values())} components skipped, {len(tally.failures)} disagreements."]
    lines += [f"- check '{name}': {count} times" for name, count in sorted(tally.checks.items())]
    lines += [f"- unreadable by both ({count}): {reason.removeprefix('unreadable: ')}"
              for reason, count in tally.unreadable.most_common()]
    lines += [f"- skipped ({count}): {reason}" for reason, count in tally.skipped.most_common()]
    return lines


def test_walk_of_real_world_calendars_finds_no_disagreement_crash_or_hang(request: pytest.FixtureRequest):
    assert all(source.is_dir() for source in SOURCES), SOURCES
    previous = signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(Hang()))
    try:
        tally = walk()
    finally:
        signal.signal(signal.SIGALRM, previous)
    lines = report(tally)
    request.config.stash[WALK_REPORT] = lines
    DOC.write_text("# The walk over real-world calendars\n\nWritten by `tests/realworld/test_walk.py` on every run "
                   "of `make test` (do not edit by hand).\n\n" + "\n".join(lines) + "\n")
    print("\n".join(lines))
    assert tally.objects > 300 and tally.read > 300
    assert tally.failures == [], "\n".join(tally.failures[:40])


WALK_REPORT = pytest.StashKey[list]()
