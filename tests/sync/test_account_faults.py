"""Faults of one account that must not stop its sync for good, nor the sync of the accounts after it."""
from __future__ import annotations

from cryptography.fernet import Fernet

from tests.conftest import APP_PASSWORD
from tests.sync.conftest import ICLOUD_USER, at, vevent
from webapp import accounts, calendar_roles
from webapp.models import Appointment, CalendarAccount, RemoteCalendar, SyncRun
from webapp.sync import sync_account_now, sync_due_accounts

OTHER_USER = "bo@icloud.example"


def test_password_unreadable_after_a_key_change_asks_to_reconnect_and_later_accounts_still_sync(
        rig, make_user, make_account, caldav_server):
    # A second owner's account, synced after the broken one (higher id), on the same server.
    caldav_server.add_user(OTHER_USER, APP_PASSWORD)
    other_cal = caldav_server.make_calendar(OTHER_USER, "home", "Home")
    caldav_server.put_event(OTHER_USER, "home", "busy.ics", vevent("bo-busy", at(2, 9)))
    bo = make_user(email="bo@example.com", name="Bo")
    other = make_account(bo, OTHER_USER, calendars={other_cal: ("Home", "primary")})
    assert other.id > rig.account_id
    with rig.app.app_context():
        # The password was encrypted with a key this server no longer has.
        stale = Fernet(Fernet.generate_key()).encrypt(APP_PASSWORD.encode()).decode()
        CalendarAccount.update(password_encrypted=stale).where(CalendarAccount.id == rig.account_id).execute()

        assert sync_due_accounts() == 2  # the scheduler's tick: no exception escapes it

        broken = CalendarAccount.get_by_id(rig.account_id)
        assert broken.status == CalendarAccount.NEEDS_RECONNECT
        assert "key" in broken.last_error and "Reconnect" in broken.last_error
        run = SyncRun.get(SyncRun.account == broken)
        assert run.finished_at is not None and run.error == broken.last_error
        assert APP_PASSWORD not in broken.last_error

        later = CalendarAccount.get_by_id(other.id)
        assert later.status == CalendarAccount.CONNECTED and later.last_synced_at is not None
        assert SyncRun.get(SyncRun.account == later).error is None
        # Needs reconnect: the scheduler leaves it alone until the user types the password again.
        assert sync_account_now(rig.account_id) is None

        accounts.reconnect_account(broken, APP_PASSWORD)
        assert CalendarAccount.get_by_id(rig.account_id).status == CalendarAccount.CONNECTED


def test_calendar_gone_from_the_list_with_a_copy_in_it_is_repushed_to_the_primary_and_logged(
        rig, book, radicale):
    appt = book(at(3, 10))
    assert appt.push_state == Appointment.PUSH_SYNCED and len(rig.objects("home")) == 1
    # The calendar holding the copy is deleted in iCloud; the next reconnect refreshes the list.
    assert radicale.raw(ICLOUD_USER, "DELETE", radicale.calendar_path(ICLOUD_USER, "home")).status in (200, 204)
    with rig.app.app_context():
        account = CalendarAccount.get_by_id(rig.account_id)
        accounts.reconnect_account(account, APP_PASSWORD)
        assert not RemoteCalendar.select().where(RemoteCalendar.url == rig.home_url).exists()
        orphan = Appointment.get_by_id(appt.id)
        assert orphan.remote_href is not None and orphan.remote_calendar is None
        # The user makes the remaining calendar the Primary Calendar: that asks for a sync.
        work = RemoteCalendar.get(RemoteCalendar.url == rig.work_url)
        calendar_roles.configure_calendars(rig.owner, work.id, [])

    run = rig.sync()
    assert run.error is None
    with rig.app.app_context():
        runs = list(SyncRun.select().where(SyncRun.account == rig.account_id, SyncRun.warnings.contains("lost")))
        assert runs and "no longer in the iCloud account" in runs[0].warnings
        assert CalendarAccount.get_by_id(rig.account_id).status == CalendarAccount.CONNECTED
        moved = Appointment.get_by_id(appt.id)
        assert moved.push_state == Appointment.PUSH_SYNCED and moved.remote_calendar_id == work.id
    [text] = rig.objects("work").values()
    assert appt.event_uid in text and moved.remote_href.startswith(rig.work_url)
    assert rig.sync().error is None  # and every later sync goes on too


def _second_account(rig, caldav_server, make_account) -> tuple[int, int]:
    """A second iCloud account of the same owner with one calendar (account id, calendar id)."""
    caldav_server.add_user(OTHER_USER, APP_PASSWORD)
    url = caldav_server.make_calendar(OTHER_USER, "other", "Other")
    other = make_account(rig.owner, OTHER_USER, calendars={url: ("Other", "none")})
    with rig.app.app_context():
        return other.id, RemoteCalendar.get(RemoteCalendar.url == url).id


def test_old_copy_in_an_account_whose_password_is_unreadable_keeps_the_move_in_the_outbox(
        rig, book, caldav_server, make_account):
    appt = book(at(3, 10))
    other_id, other_cal = _second_account(rig, caldav_server, make_account)
    with rig.app.app_context():
        stale = Fernet(Fernet.generate_key()).encrypt(APP_PASSWORD.encode()).decode()
        CalendarAccount.update(password_encrypted=stale).where(CalendarAccount.id == rig.account_id).execute()
        calendar_roles.configure_calendars(rig.owner, other_cal, [])  # both accounts sync now
        assert CalendarAccount.get_by_id(rig.account_id).status == CalendarAccount.NEEDS_RECONNECT
        other = CalendarAccount.get_by_id(other_id)
        assert other.status == CalendarAccount.CONNECTED
        run = SyncRun.select().where(SyncRun.account == other_id).order_by(SyncRun.id.desc()).get()
        assert run.error is None and "encryption key changed" in run.warnings
        waiting = Appointment.get_by_id(appt.id)
        assert waiting.push_state == Appointment.PUSH_FAILED and "reconnect that account" in waiting.push_error
    assert len(rig.objects("home")) == 1  # the old copy stays until it can be deleted: never two copies


def test_copy_in_a_disconnected_account_is_logged_as_lost_and_written_to_the_new_primary(
        rig, book, caldav_server, make_account):
    appt = book(at(3, 10))
    other_id, other_cal = _second_account(rig, caldav_server, make_account)
    with rig.app.app_context():
        accounts.disconnect_account(CalendarAccount.get_by_id(rig.account_id))
        calendar_roles.configure_calendars(rig.owner, other_cal, [])
        run = SyncRun.select().where(SyncRun.account == other_id).order_by(SyncRun.id.desc()).get()
        assert run.error is None and "that copy was lost" in run.warnings
        moved = Appointment.get_by_id(appt.id)
        assert moved.push_state == Appointment.PUSH_SYNCED and moved.remote_calendar_id == other_cal
    [text] = caldav_server.objects(OTHER_USER, "other").values()
    assert appt.event_uid in text
