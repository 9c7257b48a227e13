"""The real CalDAV server rig: a calendar and an event written and read back with caldav."""
from __future__ import annotations

import caldav

EVENT = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Slotwise tests//EN
BEGIN:VEVENT
UID:rig-1@test
DTSTAMP:20261101T090000Z
DTSTART:20261201T100000Z
DTEND:20261201T110000Z
SUMMARY:Dentist
END:VEVENT
END:VCALENDAR
"""


def test_rig_serves_a_calendar_readable_with_caldav(radicale):
    radicale.add_user("alice", "pw-alice")
    url = radicale.make_calendar("alice", "work", name="Work", color="#FF2968FF")
    radicale.put_event("alice", "work", "rig-1.ics", EVENT)
    with caldav.DAVClient(url=radicale.url, username="alice", password="pw-alice", auth_type="basic") as client:
        calendar = caldav.Calendar(client=client, url=url)
        events = calendar.search(event=True, post_filter=False)
        assert [e.icalendar_component["SUMMARY"] for e in events] == ["Dentist"]
    assert radicale.request_count >= 1


def test_rig_refuses_a_wrong_password(radicale):
    radicale.add_user("alice", "pw-alice")
    assert radicale.raw("alice", "PROPFIND", "/alice/").status in (207,)
    radicale.users["alice"] = "wrong"
    assert radicale.raw("alice", "PROPFIND", "/alice/").status == 401
