"""Slotwise's side of the sync benchmark: an app with its own database, syncing the bench calendar."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from cryptography.fernet import Fernet

from webapp import create_app
from webapp.appointments import create_appointment
from webapp.auth import create_user
from webapp.crypto import encrypt
from webapp.models import BlockedSlot, CalendarAccount, RemoteCalendar, RemoteObject
from webapp.sync import sync_account_now


class SlotwiseSide:
    def __init__(self, workdir: Path, server, database_url: str | None = None) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.app = create_app({
            "SECRET_KEY": "bench",
            "DATABASE_URL": database_url or f"sqlite:///{workdir / 'slotwise.db'}",
            "SLOTWISE_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "ICLOUD_CALDAV_URL": server.url,
            "CALDAV_TIMEOUT_SECONDS": 300,
            "SCHEDULER_ENABLED": False,
            "SYNC_INLINE": True,  # the push is timed until the event is on the server
        })
        with self.app.app_context():
            self.user = create_user("owner@bench.example", "bench-password", timezone="Europe/Berlin")
            account = CalendarAccount.create(owner=self.user, email="bench@icloud.example",
                                             password_encrypted=encrypt("abcd-efgh-ijkl-mnop"))
            self.account_id = account.id
            self.calendar_id = RemoteCalendar.create(account=account, url=server.calendar_url, name="Bench",
                                                     role=RemoteCalendar.PRIMARY).id
        self.bookings = 0

    def forget(self) -> None:
        """Drop the mirror, so the next sync is a first import."""
        with self.app.app_context():
            objects = RemoteObject.select(RemoteObject.id).where(RemoteObject.calendar == self.calendar_id)
            BlockedSlot.delete().where(BlockedSlot.remote_object.in_(objects)).execute()
            RemoteObject.delete().where(RemoteObject.calendar == self.calendar_id).execute()
            RemoteCalendar.update(sync_token=None, ctag=None, synced_until=None, empty_strikes=0).where(
                RemoteCalendar.id == self.calendar_id).execute()

    def sync(self) -> None:
        with self.app.app_context():
            run = sync_account_now(self.account_id)
            if run is None or run.error:
                raise RuntimeError(f"sync failed: {run.error if run else 'account needs reconnecting'}")

    def push_one_booking(self) -> None:
        """Book a free half hour (at night, after the generated all-day events) and write it to the Primary Calendar."""
        day = date.today() + timedelta(days=170)
        start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(minutes=30 * self.bookings)
        self.bookings += 1
        with self.app.app_context():
            appointment = create_appointment(self.user, start, start + timedelta(minutes=30), "Bench booking",
                                             "Bench Visitor", "visitor@bench.example")
            appointment = type(appointment).get_by_id(appointment.id)
            if appointment.push_state != "synced":
                raise RuntimeError(f"push failed: {appointment.push_error}")
