"""The appointments service: each change reaches the Primary Calendar, Blocked Slots never pushed, busy time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone

import pytest

from tests.conftest import APP_PASSWORD, SyncRuns
from webapp import appointments as svc
from webapp.models import Appointment, BlockedSlot, RemoteCalendar

from .conftest import at

UTC = timezone.utc


APPLE_ID = "ada@icloud.example"


@dataclass
class Pushes:
    runs: SyncRuns
    server: object

    def take(self) -> list[int]:
        """The accounts synced since the last look (a push is one sync of the owner's accounts)."""
        return self.runs.take()

    def on_server(self) -> list[str]:
        return list(self.server.objects(APPLE_ID, "home").values())


@pytest.fixture
def pushes(app, owner, caldav_server, make_account) -> Pushes:
    """The owner's iCloud account on the rig with a Primary Calendar: what a push writes lands there."""
    caldav_server.add_user(APPLE_ID, APP_PASSWORD)
    home = caldav_server.make_calendar(APPLE_ID, "home", "Home")
    make_account(owner, APPLE_ID, calendars={home: ("Home", "primary")})
    return Pushes(SyncRuns(app), caldav_server)


def test_create_reschedule_cancel_each_reach_the_primary_calendar(app, owner, day, pushes):
    with app.app_context():
        appt = svc.create_appointment(owner, at(day, 10), at(day, 11), "A", "Grace", "grace@example.com")
        assert len(pushes.take()) == 1
        assert Appointment.get_by_id(appt.id).push_state == "synced"
        [written] = pushes.on_server()
        assert appt.event_uid in written and "Grace" in written
        svc.reschedule(Appointment.get_by_id(appt.id), at(day, 12), at(day, 13))
        assert len(pushes.take()) == 1
        [moved] = pushes.on_server()
        assert moved != written and Appointment.get_by_id(appt.id).push_state == "synced"
        svc.cancel(Appointment.get_by_id(appt.id))
        assert len(pushes.take()) == 1
        assert pushes.on_server() == []


def test_manual_blocked_slots_are_never_pushed(app, owner, day, pushes):
    with app.app_context():
        slot = svc.create_blocked_slot(owner, at(day, 10), at(day, 11), "")
        assert slot.title == "Blocked Slot" and slot.source == BlockedSlot.MANUAL
        svc.delete_blocked_slot(slot)
    assert pushes.take() == [] and pushes.on_server() == []


def test_a_refused_booking_requests_no_push(app, owner, day, pushes):
    with app.app_context():
        svc.create_blocked_slot(owner, at(day, 10), at(day, 11), "")
        with pytest.raises(svc.SlotTaken):
            svc.create_appointment(owner, at(day, 10), at(day, 11), "A", None, None)
    assert pushes.take() == [] and pushes.on_server() == []


def test_busy_time_is_appointments_and_every_blocked_slot(app, owner, day, make_account):
    account = make_account(owner, "ada@icloud.example", calendars={"https://c/1/": ("Old", "none")})
    with app.app_context():
        svc.create_appointment(owner, at(day, 9), at(day, 10), "A", None, None)
        cancelled = svc.create_appointment(owner, at(day, 10), at(day, 11), "B", None, None)
        svc.cancel(cancelled)
        svc.create_blocked_slot(owner, at(day, 12), at(day, 13), "manual")
        BlockedSlot.create(owner=owner, source="icloud", remote_calendar=RemoteCalendar.get(RemoteCalendar.account == account),
                           start_utc=at(day, 14).astimezone(UTC).replace(tzinfo=None),
                           end_utc=at(day, 15).astimezone(UTC).replace(tzinfo=None))
        busy = sorted(svc.busy_intervals(owner, at(day, 0), at(day + timedelta(days=1), 0)))
    assert [b[0].replace(tzinfo=UTC) for b in busy] == [at(day, 9), at(day, 12), at(day, 14)]


def test_public_booking_only_takes_an_offered_slot(app, owner, day):
    with app.app_context():
        with pytest.raises(svc.SlotTaken, match="just taken"):
            svc.create_appointment(owner, at(day, 19), at(day, 19, 30), "", "G", "g@example.com", public=True)
        with pytest.raises(svc.BookingError, match="valid e-mail"):
            svc.create_appointment(owner, at(day, 9), at(day, 9, 30), "", "G", "nope", public=True)
        appt = svc.create_appointment(owner, at(day, 9), at(day, 9, 30), "", "G", "g@example.com", public=True)
        assert appt.title == "Appointment with G"
