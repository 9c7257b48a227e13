"""The appointments service: pushes requested after each change, Blocked Slots never pushed, busy time."""
from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from webapp import appointments as svc
from webapp import syncing
from webapp.models import Appointment, BlockedSlot, RemoteCalendar

from .conftest import at

UTC = timezone.utc


@pytest.fixture
def pushes(monkeypatch) -> list[int]:
    seen: list[int] = []
    monkeypatch.setattr(syncing, "request_push", seen.append)
    return seen


def test_create_reschedule_cancel_each_request_a_push_after_commit(app, owner, day, pushes):
    with app.app_context():
        appt = svc.create_appointment(owner, at(day, 10), at(day, 11), "A", "Grace", "grace@example.com")
        assert pushes == [appt.id]
        assert Appointment.get_by_id(appt.id).push_state == "pending"  # committed before the push was asked
        Appointment.update(push_state="synced").where(Appointment.id == appt.id).execute()
        svc.reschedule(Appointment.get_by_id(appt.id), at(day, 12), at(day, 13))
        assert Appointment.get_by_id(appt.id).push_state == "pending"
        svc.cancel(Appointment.get_by_id(appt.id))
        assert pushes == [appt.id, appt.id, appt.id]


def test_manual_blocked_slots_are_never_pushed(app, owner, day, pushes):
    with app.app_context():
        slot = svc.create_blocked_slot(owner, at(day, 10), at(day, 11), "")
        assert slot.title == "Blocked Slot" and slot.source == BlockedSlot.MANUAL
        svc.delete_blocked_slot(slot)
    assert pushes == []


def test_a_refused_booking_requests_no_push(app, owner, day, pushes):
    with app.app_context():
        svc.create_blocked_slot(owner, at(day, 10), at(day, 11), "")
        with pytest.raises(svc.SlotTaken):
            svc.create_appointment(owner, at(day, 10), at(day, 11), "A", None, None)
    assert pushes == []


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
