"""Every fault users meet, in pull and in push: nothing lost, nothing written twice, the user told in
words, and one normal sync converges once the fault clears. Writes docs/reliability.md."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import APP_PASSWORD
from tests.faults.conftest import APPLE_ID
from webapp import accounts
from webapp.appointments import create_appointment
from webapp.models import Appointment, BlockedSlot, CalendarAccount, SyncRun, utcnow
from webapp.sync import sync_account_now

FAULTS: dict[str, dict] = {
    "401 Unauthorized": {"kind": "status", "status": 401},
    "403 Forbidden": {"kind": "status", "status": 403},
    "404 Not Found": {"kind": "status", "status": 404},
    "412 Precondition Failed": {"kind": "status", "status": 412},
    "500 Internal Server Error": {"kind": "status", "status": 500},
    "503 without Retry-After": {"kind": "status", "status": 503},
    "503 with Retry-After: 120": {"kind": "status", "status": 503, "retry_after": "120"},
    "429 Too Many Requests": {"kind": "status", "status": 429},
    "delay past the client timeout": {"kind": "delay", "seconds": 1.6},
    "connection reset before forwarding": {"kind": "reset_before"},
    "connection reset after forwarding": {"kind": "reset_after"},
    "truncated body": {"kind": "truncate"},
    "malformed body": {"kind": "malformed"},
    "unparseable ICS object": {"kind": "bad_ics"},
}
PHASES = {"pull": "REPORT", "push": "PUT"}


def vevent(uid: str, start: datetime) -> str:
    fmt = "%Y%m%dT%H%M%SZ"
    return (f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//faults//EN\nBEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20260101T000000Z\n"
            f"DTSTART:{start.strftime(fmt)}\nDTEND:{(start + timedelta(hours=1)).strftime(fmt)}\nSUMMARY:Busy\n"
            "END:VEVENT\nEND:VCALENDAR\n")


def day(days: int, hour: int) -> datetime:
    return utcnow().replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(days=days)


def describe(account: CalendarAccount, run: SyncRun | None) -> tuple[str, str]:
    if account.status == CalendarAccount.CONNECTED and (run is None or not run.error):
        skipped = f", {run.skipped} object(s) skipped" if run and run.skipped else ""
        return f"sync completes{skipped}", (run.warnings.replace("\n", " ") if run and run.warnings else "–")
    return account.status.replace("_", " "), (account.last_error or "").replace("|", "/").replace("\n", " ")


@pytest.mark.parametrize("phase", list(PHASES))
@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_loses_nothing_duplicates_nothing_and_converges(app, proxy, radicale, user, make_account, matrix,
                                                            fault, phase):
    radicale.make_calendar(APPLE_ID, "home", "Home")
    for n in range(3):
        radicale.put_event(APPLE_ID, "home", f"busy-{n}.ics", vevent(f"busy-{n}@test", day(2 + n, 9)))
    calendar_url = proxy.url.rstrip("/") + radicale.calendar_path(APPLE_ID, "home")
    account = make_account(user, APPLE_ID, calendars={calendar_url: ("Home", "primary")})
    with app.app_context():
        assert sync_account_now(account.id).error is None
        assert BlockedSlot.select().count() == 3

    expected_slots = 3
    if phase == "pull":
        radicale.put_event(APPLE_ID, "home", "busy-new.ics", vevent("busy-new@test", day(6, 9)))
        expected_slots = 4
    proxy.inject(method=PHASES[phase], times=-1, **FAULTS[fault])
    with app.app_context():
        if phase == "push":
            start = day(8, 12).replace(tzinfo=timezone.utc)
            appointment = create_appointment(user, start, start + timedelta(minutes=30), "Intro",
                                             "Grace Hopper", "grace@example.com")
            run = SyncRun.select().order_by(SyncRun.id.desc()).first()
        else:
            run = sync_account_now(account.id)
        account_now = CalendarAccount.get_by_id(account.id)
        during, words = describe(account_now, run)
        if run is not None and run.error:
            assert account_now.last_error == run.error  # the card and the SyncRun say the same
            assert "Traceback" not in run.error and APP_PASSWORD not in run.error
        assert BlockedSlot.select().count() >= 3, "a failed fetch deleted local Blocked Slots"
        if phase == "push":
            assert Appointment.get_by_id(appointment.id).status == Appointment.BOOKED
    own = [ics for ics in radicale.objects(APPLE_ID, "home").values() if "@slotwise" in ics]
    assert len(own) <= 1, "the fault made a second copy of the appointment"

    proxy.clear()
    with app.app_context():
        if CalendarAccount.get_by_id(account.id).status == CalendarAccount.NEEDS_RECONNECT:
            accounts.reconnect_account(CalendarAccount.get_by_id(account.id), APP_PASSWORD)
        run = sync_account_now(account.id)
        assert run is not None and run.error is None, run.error
        assert CalendarAccount.get_by_id(account.id).status == CalendarAccount.CONNECTED
        assert BlockedSlot.select().count() == expected_slots
        if phase == "push":
            assert Appointment.get_by_id(appointment.id).push_state == Appointment.PUSH_SYNCED
    objects = radicale.objects(APPLE_ID, "home")
    own = [ics for ics in objects.values() if "@slotwise" in ics]
    assert len(own) == (1 if phase == "push" else 0)
    assert len(objects) == expected_slots + len(own), "something else was written to the calendar"
    matrix.record(fault, phase, during, words, "converges in one sync")
