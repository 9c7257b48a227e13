"""Both readers (quick: calendars/reading.py, full: calendars/ical.py) extract what the per-calendar rules
need from Apple-shaped objects, and agree; the rules then decide what blocks (calendars/rules.py)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from webapp.calendars import ical, reading
from webapp.calendars.rules import CalendarRules, Invalid, blocking, clean

FIXTURES = Path(__file__).parent / "fixtures"
BERLIN = ZoneInfo("Europe/Berlin")
ADDRESS = "ada@icloud.example"
WINDOW = (datetime(2026, 12, 1), datetime(2027, 1, 31))


def both(name: str, address: str | None = ADDRESS) -> list[ical.Busy]:
    text = (FIXTURES / name).read_text()
    quick = reading.read_object(text, *WINDOW, BERLIN, address)[1]
    full = ical.busy_occurrences(ical.parse(text), *WINDOW, BERLIN, address)
    assert quick == full
    return full


def test_apple_travel_time_is_read_by_the_quick_reader_and_kept_off_the_event_times():
    text = (FIXTURES / "apple_travel.ics").read_text()
    assert reading.read_plain(text, *WINDOW, BERLIN, ADDRESS) is not None  # the quick path decides
    (busy,) = both("apple_travel.ics")
    assert (busy.start, busy.end) == (datetime(2026, 12, 10, 9, 0), datetime(2026, 12, 10, 10, 0))
    assert busy.travel_minutes == 30 and not busy.tentative and not busy.all_day


def test_apple_travel_time_of_a_weekly_series_is_on_every_occurrence():
    busy = both("apple_travel_weekly.ics")
    assert [b.travel_minutes for b in busy] == [75, 75, 75]
    assert busy[0].start == datetime(2026, 12, 10, 17, 0)


def test_an_unanswered_invitation_for_the_account_address_is_tentative_whatever_the_case_of_mailto():
    (busy,) = both("apple_invitation.ics")
    assert busy.tentative and busy.travel_minutes == 0
    (maybe,) = both("apple_invitation_tentative.ics")
    assert maybe.tentative
    (accepted,) = both("apple_invitation_accepted.ics")
    assert not accepted.tentative


def test_an_invitation_to_someone_else_or_without_an_address_is_not_tentative():
    assert not both("apple_invitation.ics", "grace@example.org")[0].tentative  # the organizer, accepted
    assert not both("apple_invitation.ics", "bob@example.org")[0].tentative
    assert not both("apple_invitation.ics", None)[0].tentative


def test_the_organizers_own_event_is_never_tentative():
    text = (FIXTURES / "apple_invitation.ics").read_text().replace(
        "PARTS\n TAT=ACCEPTED", "PARTSTAT=NEEDS-ACTION")
    quick = reading.read_object(text, *WINDOW, BERLIN, "grace@example.org")[1]
    full = ical.busy_occurrences(ical.parse(text), *WINDOW, BERLIN, "grace@example.org")
    assert quick == full and not full[0].tentative


def test_an_attendee_without_partstat_has_not_answered():
    text = (FIXTURES / "apple_invitation.ics").read_text().replace(";PART\n STAT=NEEDS-ACTION", "")
    assert "NEEDS-ACTION" not in text
    quick = reading.read_object(text, *WINDOW, BERLIN, ADDRESS)[1]
    full = ical.busy_occurrences(ical.parse(text), *WINDOW, BERLIN, ADDRESS)
    assert quick == full and full[0].tentative


def test_an_apple_all_day_event_is_the_whole_local_day():
    (busy,) = both("apple_all_day.ics")
    assert busy.all_day and (busy.start, busy.end) == (datetime(2026, 12, 10, 23), datetime(2026, 12, 11, 23))


@pytest.mark.parametrize("value, minutes", [("PT45M", 45), ("PT1H30M", 90), ("-PT30M", 0), ("P2D", 1440 * 2),
                                            ("soon", 0)])
def test_travel_durations_of_any_form_agree_between_the_readers(value, minutes):
    text = (FIXTURES / "apple_travel.ics").read_text().replace("DURATION:PT30M", f"DURATION:{value}")
    (busy,) = both_text(text)
    assert busy.travel_minutes == minutes


def both_text(text: str) -> list[ical.Busy]:
    quick = reading.read_object(text, *WINDOW, BERLIN, ADDRESS)[1]
    full = ical.busy_occurrences(ical.parse(text), *WINDOW, BERLIN, ADDRESS)
    assert quick == full
    return full


# --- the rules, on and off ------------------------------------------------------------------------

START, END = datetime(2026, 12, 10, 9), datetime(2026, 12, 10, 10)


@pytest.mark.parametrize("on", [True, False])
def test_travel_time_blocks_before_the_event_only_when_the_rule_is_on(on):
    block = blocking(START, END, False, 30, False, CalendarRules(travel_time_blocks=on))
    assert (block.start, block.end) == ((datetime(2026, 12, 10, 8, 30) if on else START), END)


@pytest.mark.parametrize("on", [True, False])
def test_all_day_events_block_only_when_the_rule_is_on(on):
    block = blocking(START, END, True, 0, False, CalendarRules(all_day_events_block=on))
    assert (block.start is not None) == on
    assert (block.why_not is None) == on


@pytest.mark.parametrize("on", [True, False])
def test_unanswered_invitations_block_only_when_the_rule_is_on(on):
    block = blocking(START, END, False, 0, True, CalendarRules(tentative_blocks=on))
    assert (block.start, block.end) == ((START, END) if on else (None, None))


def test_rule_input_must_be_strict_booleans_of_known_rules():
    assert clean({"travel_time_blocks": False}) == {"travel_time_blocks": False}
    for bad in ({"travel_time_blocks": "false"}, {"travel_time_blocks": 0}, {"colour": True}):
        with pytest.raises(Invalid):
            clean(bad)


@pytest.mark.parametrize("line", ['ATTENDEE;CN="unterminated:mailto:ada@icloud.example', "ATTENDEE;=x:mailto:y",
                                  'ORGANIZER;CN=a"b:mailto:x', "ATTENDEE:"])
@pytest.mark.parametrize("name", ["apple_travel.ics", "apple_travel_weekly.ics"])
def test_a_malformed_attendee_or_organizer_never_loses_the_event(name, line):
    text = (FIXTURES / name).read_text().replace("SEQUENCE:0", f"SEQUENCE:0\n{line}")
    busy = both_text(text)
    assert busy and all(b.travel_minutes for b in busy) and not any(b.tentative for b in busy)
