"""Pure: a feed cut into one object per UID reads exactly as the same events served one per CalDAV object."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from webapp.calendars import ical, reading
from webapp.feeds import split_feed

FIXTURES = Path(__file__).parents[1] / "sync" / "fixtures"
ZONE = ZoneInfo("Europe/Berlin")
WINDOW = (datetime(2020, 1, 1), datetime(2031, 1, 1))
# One feed holds each TZID once: the two other definitions of "Customized Time Zone" stay out.
LEFT_OUT = {"custom_tzid_minus0500.ics", "custom_tzid_plus0530.ics", "garbage.ics"}


def _inner(text: str) -> str:
    """What a VCALENDAR holds, without its own BEGIN/END and calendar properties."""
    lines = re.sub(r"\r?\n[ \t]", "", text).splitlines()
    body = lines[lines.index(next(x for x in lines if x.startswith("BEGIN:") and x != "BEGIN:VCALENDAR")):]
    return "\r\n".join(body[:-1]) + "\r\n"


def _busy(text: str) -> set[ical.Busy]:
    try:
        return set(reading.read_object(text, *WINDOW, ZONE)[1])
    except ical.UnparseableObject:
        return set()


def test_every_fixture_in_one_feed_blocks_the_same_time_as_one_object_each():
    files = sorted(p for p in FIXTURES.glob("*.ics") if p.name not in LEFT_OUT)
    one_each = set().union(*(_busy(p.read_text()) for p in files))
    feed = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + "".join(_inner(p.read_text()) for p in files) + "END:VCALENDAR\r\n"
    objects, broken = split_feed(feed)
    assert broken == 0
    from_feed = set().union(*(_busy(text) for _, text in objects.values()))
    assert from_feed == one_each and len(one_each) > 20


def test_a_series_and_its_overrides_are_one_object_with_the_zone_they_name():
    feed = FIXTURES.joinpath("override.ics").read_text().replace("END:VCALENDAR", _inner(
        FIXTURES.joinpath("custom_tzid.ics").read_text()) + "END:VCALENDAR")
    objects, _ = split_feed(feed)
    assert set(objects) == {"override", *(ical.object_uid(FIXTURES.joinpath("custom_tzid.ics").read_text()),)}
    series = objects["override"][1]
    assert series.count("BEGIN:VEVENT") == 3 and "VTIMEZONE" not in series


def test_an_unchanged_event_keeps_its_etag_when_another_changes():
    one = "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20300101T100000Z\r\nDTEND:20300101T110000Z\r\nEND:VEVENT\r\n"
    two = "BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20300102T100000Z\r\nDTEND:20300102T110000Z\r\nEND:VEVENT\r\n"
    before, _ = split_feed(f"BEGIN:VCALENDAR\r\n{one}{two}END:VCALENDAR\r\n")
    after, _ = split_feed(f"BEGIN:VCALENDAR\r\n{one}{two.replace('T10', 'T12')}END:VCALENDAR\r\n")
    assert before["a"] == after["a"] and before["b"][0] != after["b"][0]


@pytest.mark.parametrize("cut", [
    "BEGIN:VEVENT\r\nUID:cut\r\nDTSTART:20300101T100000Z\r\n",  # the next event begins before it ends
    "BEGIN:VEVENT\r\nUID:cut\r\nBEGIN:VALARM\r\nTRIGGER:-PT5M\r\n",
], ids=["event", "alarm"])
def test_an_event_cut_off_is_counted_and_the_others_are_kept(cut):
    good = "BEGIN:VEVENT\r\nUID:good\r\nDTSTART:20300101T100000Z\r\nDTEND:20300101T110000Z\r\nEND:VEVENT\r\n"
    objects, broken = split_feed(f"BEGIN:VCALENDAR\r\n{cut}{good}END:VCALENDAR\r\n")
    assert broken == 1 and list(objects) == ["good"]


def test_an_event_without_uid_is_kept_under_a_digest():
    event = "BEGIN:VEVENT\r\nDTSTART:20300101T100000Z\r\nDTEND:20300101T110000Z\r\nEND:VEVENT\r\n"
    objects, _ = split_feed(f"BEGIN:VCALENDAR\r\n{event}END:VCALENDAR\r\n")
    (href,) = objects
    assert href.startswith("event-") and len(_busy(objects[href][1])) == 1
