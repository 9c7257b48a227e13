"""The `.ics` invitation sent to the booker (pure: icalendar only, no Flask, no database).

It is the event Slotwise writes to iCloud (calendars.ical.appointment_ics) plus what an invitation
needs: METHOD, ORGANIZER (the owner), ATTENDEE (the booker), SEQUENCE. Only the e-mail carries it: the
copy in iCloud has no ATTENDEE, so iCloud sends no invitation of its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from icalendar import Calendar, vCalAddress, vText

from ..calendars.ical import appointment_ics

REQUEST = "REQUEST"
CANCEL = "CANCEL"


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    def address(self, **params: str) -> vCalAddress:
        value = vCalAddress(f"mailto:{self.email}")
        value.params["CN"] = vText(self.name or self.email)
        value.params.update(params)
        return value


def invitation_ics(*, uid: str, sequence: int, method: str, start_utc: datetime, end_utc: datetime,
                   zone_name: str, summary: str, description: str, organizer: Person, attendee: Person,
                   dtstamp: datetime) -> str:
    """A VCALENDAR with METHOD REQUEST (booked, moved) or CANCEL; the same UID on every update."""
    cal = Calendar.from_ical(appointment_ics(uid=uid, start_utc=start_utc, end_utc=end_utc, zone_name=zone_name,
                                             summary=summary, description=description, dtstamp=dtstamp))
    cal.add("method", method)
    event = cal.walk("VEVENT")[0]
    event.add("sequence", sequence)
    event.add("organizer", organizer.address())
    event.add("attendee", attendee.address(ROLE="REQ-PARTICIPANT", PARTSTAT="ACCEPTED", RSVP="FALSE"))
    if method == CANCEL:
        event["status"] = "CANCELLED"
    return cal.to_ical().decode("utf-8")
