"""Fixtures for the sync tests: an owner in Europe/Berlin with an iCloud-shaped account on the rig."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import niquests
import pytest

from tests.conftest import APP_PASSWORD
from webapp.models import BlockedSlot, RemoteCalendar, User, utcnow

ICLOUD_USER = "ada@icloud.example"


def stamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def vevent(uid: str, start: datetime, minutes: int = 60, summary: str = "Busy", extra: str = "") -> str:
    """A one-event VCALENDAR in UTC times (start is naive UTC)."""
    extra_lines = f"{extra}\n" if extra else ""
    return (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\nBEGIN:VEVENT\n"
        f"UID:{uid}\nDTSTAMP:20260101T000000Z\nDTSTART:{stamp(start)}\n"
        f"DTEND:{stamp(start + timedelta(minutes=minutes))}\nSUMMARY:{summary}\n{extra_lines}"
        "END:VEVENT\nEND:VCALENDAR\n"
    )


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """A naive-UTC time `days` from today, on the hour, so tests never straddle the sync window."""
    base = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    return base + timedelta(days=days, hours=hour, minutes=minute)


@dataclass
class Rig:
    app: object
    server: object
    owner: User
    account_id: int
    home_url: str  # Primary Calendar
    work_url: str  # Check for Conflicts

    def put(self, calendar_id: str, filename: str, ics: str) -> str:
        return self.server.put_event(ICLOUD_USER, calendar_id, filename, ics)

    def delete(self, calendar_id: str, filename: str) -> None:
        self.server.delete_event(ICLOUD_USER, calendar_id, filename)

    def objects(self, calendar_id: str) -> dict[str, str]:
        return self.server.objects(ICLOUD_USER, calendar_id)

    def sync(self):
        from webapp.sync import sync_account_now

        with self.app.app_context():
            return sync_account_now(self.account_id)

    def slots(self, **where) -> list[tuple[datetime, datetime, str]]:
        with self.app.app_context():
            query = BlockedSlot.select().where(BlockedSlot.source == BlockedSlot.ICLOUD)
            for key, value in where.items():
                query = query.where(getattr(BlockedSlot, key) == value)
            return sorted((s.start_utc, s.end_utc, s.title) for s in query)

    def calendar(self, url: str) -> RemoteCalendar:
        with self.app.app_context():
            return RemoteCalendar.get(RemoteCalendar.url == url)


@pytest.fixture
def rig(app, caldav_server, make_user, make_account) -> Rig:
    caldav_server.add_user(ICLOUD_USER, APP_PASSWORD)
    home = caldav_server.make_calendar(ICLOUD_USER, "home", "Home")
    work = caldav_server.make_calendar(ICLOUD_USER, "work", "Work")
    owner = make_user(email="ada@example.com", timezone="Europe/Berlin", name="Ada")
    account = make_account(owner, ICLOUD_USER, calendars={home: ("Home", "primary"), work: ("Work", "conflict")})
    return Rig(app, caldav_server, owner, account.id, home, work)


class Wire:
    """Faults on the real HTTP session of every Store the app opens, through the Store's request hook
    (the CALDAV_REQUEST_HOOK setting; not a mock of caldav).

    `rewrite` edits response bodies (a server sending data we cannot read); `fail_after` lets the next
    request of a method reach the server and then raises a timeout (the reply is lost);
    `fail_before` refuses requests of a method before they leave (the network is down); `answer`
    replaces the status of the next reply to a method after the request reached the server.
    """

    def __init__(self) -> None:
        self.rewrite: list[tuple[bytes, bytes]] = []
        self.fail_after: list[str] = []
        self.fail_before: list[str] = []
        self.sent: list[str] = []
        self.rewritten = 0
        self.answer: list[tuple[str, int, dict[str, str]]] = []  # (method, status, headers) for the next reply

    def __call__(self, send, method, url, *args, **kwargs):
        if method in self.fail_before:
            self.fail_before.remove(method)
            raise niquests.exceptions.ConnectionError("injected: network down")
        self.sent.append(method)
        response = send(method, url, *args, **kwargs)
        if method in self.fail_after:
            self.fail_after.remove(method)
            raise niquests.exceptions.ReadTimeout("injected: the reply was lost")
        for i, (verb, status, headers) in enumerate(self.answer):
            if verb == method:
                del self.answer[i]
                response.status_code = status
                response.headers.update(headers)
                break
        for old, new in self.rewrite:
            if response.content and old in response.content:
                response._content = response.content.replace(old, new)
                self.rewritten += 1
        return response


@pytest.fixture
def wire(app) -> Wire:
    faults = Wire()
    app.config["CALDAV_REQUEST_HOOK"] = faults
    return faults


@pytest.fixture
def book(rig):
    """Book an Appointment for the rig's owner and ask for its push, like the booking view does."""
    from webapp.models import Appointment, Contact
    from webapp.sync import request_push

    def make(start: datetime, minutes: int = 30, name: str = "Bo Booker", email: str = "bo@example.org"):
        with rig.app.app_context():
            contact, _ = Contact.get_or_create(owner=rig.owner.id, email=email, defaults={"name": name})
            appt = Appointment.create(owner=rig.owner.id, contact=contact, start_utc=start,
                                      end_utc=start + timedelta(minutes=minutes))
            request_push(appt.id)
            return Appointment.get_by_id(appt.id)

    return make


def change(rig, appt, **fields):
    """Reschedule or cancel: update the appointment, then ask for its push."""
    from webapp.models import Appointment
    from webapp.sync import request_push

    with rig.app.app_context():
        Appointment.update(**fields).where(Appointment.id == appt.id).execute()
        request_push(appt.id)
        return Appointment.get_by_id(appt.id)


def reload(rig, appt):
    from webapp.models import Appointment

    with rig.app.app_context():
        return Appointment.get_by_id(appt.id)
