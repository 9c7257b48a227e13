"""Event semantics on small .ics fixture files, with fixed zones and a fixed window (no clock, no app)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from webapp.calendars import ical

FIXTURES = Path(__file__).parent / "fixtures"
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
# "now" is 2026-03-10 12:00 UTC; the window runs from a day back to 60 days ahead.
WINDOW = (datetime(2026, 3, 9, 12), datetime(2026, 5, 9, 12))


def busy(name: str, zone: ZoneInfo = BERLIN, window: tuple[datetime, datetime] = WINDOW) -> list[ical.Busy]:
    return ical.busy_occurrences((FIXTURES / name).read_text(), *window, zone)


def spans(items: list[ical.Busy]) -> list[tuple[str, str]]:
    return [(b.start.strftime("%m-%d %H:%M"), b.end.strftime("%m-%d %H:%M")) for b in items]


def test_weekly_tzid_series_keeps_local_time_across_the_dst_change():
    assert spans(busy("weekly_berlin_dst.ics")) == [
        ("03-16 08:00", "03-16 09:00"), ("03-23 08:00", "03-23 09:00"),
        ("03-30 07:00", "03-30 08:00"), ("04-06 07:00", "04-06 08:00"),
    ]


def test_endless_rule_is_cut_at_the_window_and_follows_dst():
    found = busy("endless_weekly.ics")
    assert len(found) == 9  # Mondays from 03-09 to 05-04
    assert spans(found)[2:5] == [("03-23 17:00", "03-23 18:00"), ("03-30 16:00", "03-30 17:00"),
                                 ("04-06 16:00", "04-06 17:00")]
    assert all(b.recurrence_id for b in found)


def test_exdate_removes_and_rdate_adds_occurrences():
    assert spans(busy("exdate_rdate.ics")) == [
        ("03-16 12:00", "03-16 13:00"), ("03-18 12:00", "03-18 13:00"), ("03-20 15:00", "03-20 16:00"),
    ]


def test_recurrence_id_override_moves_one_occurrence_and_cancelled_occurrence_does_not_block():
    found = busy("override.ics", NEW_YORK)
    assert spans(found) == [("03-16 13:00", "03-16 13:30"), ("03-17 18:00", "03-17 19:00")]
    assert found[1].title == "Sync (moved)"
    assert found[1].recurrence_id == "2026-03-17T13:00:00"


def test_thisandfuture_override_moves_every_later_occurrence():
    assert spans(busy("thisandfuture.ics")) == [
        ("03-16 10:00", "03-16 11:00"), ("03-17 10:00", "03-17 11:00"),
        ("03-18 16:00", "03-18 17:00"), ("03-19 16:00", "03-19 17:00"),
    ]


def test_utc_times_stay_utc_whatever_the_owner_zone():
    assert spans(busy("utc.ics", BERLIN)) == spans(busy("utc.ics", NEW_YORK)) == [("03-16 08:30", "03-16 09:15")]


def test_floating_times_are_read_in_the_owner_zone():
    assert spans(busy("floating.ics", BERLIN)) == [("03-16 08:00", "03-16 09:00")]
    assert spans(busy("floating.ics", NEW_YORK)) == [("03-16 13:00", "03-16 14:00")]


def test_duration_instead_of_dtend_gives_the_end():
    assert spans(busy("duration.ics")) == [("03-16 13:00", "03-16 14:30")]


def test_single_event_has_no_recurrence_id():
    assert busy("utc.ics")[0].recurrence_id is None


def test_all_day_event_blocks_the_whole_day_in_the_owner_zone():
    [day] = busy("allday.ics", BERLIN)
    assert day.all_day and spans([day]) == [("03-15 23:00", "03-16 23:00")]
    [day] = busy("allday.ics", NEW_YORK)
    assert spans([day]) == [("03-16 04:00", "03-17 04:00")]


def test_multi_day_all_day_event_blocks_every_day_up_to_the_exclusive_end():
    assert spans(busy("allday_multi.ics")) == [("03-15 23:00", "03-18 23:00")]


def test_all_day_event_without_end_blocks_one_day():
    assert spans(busy("allday_no_end.ics")) == [("03-15 23:00", "03-16 23:00")]


@pytest.mark.parametrize("name", ["transparent.ics", "cancelled.ics", "vtodo.ics", "vjournal.ics"])
def test_free_cancelled_todo_and_journal_objects_do_not_block(name):
    assert busy(name) == []


@pytest.mark.parametrize("name", ["garbage.ics", "bad_rrule.ics", "no_dtstart.ics"])
def test_unparseable_objects_raise_a_reportable_error(name):
    with pytest.raises(ical.UnparseableObject):
        busy(name)


def test_duplicate_dtstamp_from_icloud_is_read_leniently():
    assert spans(busy("duplicate_dtstamp.ics")) == [("03-16 08:30", "03-16 09:15")]


def test_occurrences_outside_the_window_are_left_out():
    assert busy("weekly_berlin_dst.ics", window=(datetime(2026, 3, 20), datetime(2026, 3, 31))) == busy(
        "weekly_berlin_dst.ics")[1:3]


def test_event_reaching_into_the_window_is_kept():
    assert spans(busy("allday_multi.ics", window=(datetime(2026, 3, 17), datetime(2026, 3, 20)))) == [
        ("03-15 23:00", "03-18 23:00")]


def test_object_uid_reads_the_uid_and_tolerates_garbage():
    assert ical.object_uid((FIXTURES / "override.ics").read_text()) == "override"
    assert ical.object_uid("nonsense") is None


def test_appointment_event_has_zone_times_vtimezone_uid_and_no_attendee():
    text = ical.appointment_ics(
        uid="abc@slotwise", start_utc=datetime(2026, 3, 30, 7), end_utc=datetime(2026, 3, 30, 7, 30),
        zone_name="Europe/Berlin", summary="Appointment with Bo", description="Bo <bo@example.org>",
        dtstamp=datetime(2026, 3, 1),
    )
    cal = Calendar.from_ical(text)
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == "abc@slotwise"
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.start == datetime(2026, 3, 30, 9, tzinfo=BERLIN)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert "ATTENDEE" not in event and "ORGANIZER" not in event and "DTSTAMP" in event
    assert "bo@example.org" in str(event["DESCRIPTION"])
    assert spans(ical.busy_occurrences(text, *WINDOW, NEW_YORK)) == [("03-30 07:00", "03-30 07:30")]


def test_appointment_event_in_utc_zone_needs_no_vtimezone():
    text = ical.appointment_ics(
        uid="x@slotwise", start_utc=datetime(2026, 3, 30, 7), end_utc=datetime(2026, 3, 30, 8),
        zone_name="UTC", summary="s", description="d", dtstamp=datetime(2026, 3, 1),
    )
    assert "VTIMEZONE" not in text and "DTSTART:20260330T070000Z" in text


def test_custom_tzid_is_read_from_its_own_vtimezone():
    assert spans(busy("custom_tzid.ics")) == [("03-12 07:00", "03-12 08:00")]


def test_vtimezone_is_skipped_only_when_every_tzid_is_an_iana_name():
    # IANA names are resolved with zoneinfo (the DST tests above hold without the block); others need it.
    assert "BEGIN:VTIMEZONE" not in ical.without_known_vtimezones((FIXTURES / "weekly_berlin_dst.ics").read_text())
    assert "BEGIN:VTIMEZONE" in ical.without_known_vtimezones((FIXTURES / "custom_tzid.ics").read_text())
