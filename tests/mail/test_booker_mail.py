"""E-mail through a real SMTP server (aiosmtpd on loopback): what the booker and the owner receive."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from webapp import appointments as svc
from webapp.models import Appointment, OutboxMail, User

from .conftest import PUBLIC_URL, at, link, parts
from .helpers import book

UTC = timezone.utc
NEW_YORK = ZoneInfo("America/New_York")


def _only_appointment(app) -> Appointment:
    with app.app_context():
        (appointment,) = Appointment.select()
        return appointment


def _ics_event(message):
    _, _, ics = parts(message)
    assert ics is not None, "no text/calendar attachment"
    (event,) = ics.walk("VEVENT")
    return ics, event


def test_a_booking_mails_the_booker_an_invitation_and_the_owner_the_details(app, client, owner, day, smtp):
    response = book(client, owner, at(day, 10), note="About the compiler")
    assert response.status_code == 303
    appointment = _only_appointment(app)
    to_booker, to_owner = smtp.wait_for(2)[:2]

    assert to_booker["To"] == "Grace Hopper <grace@example.com>"
    assert to_booker["From"].addresses[0].addr_spec == "bookings@example.test"
    assert owner.name in to_booker["From"].addresses[0].display_name
    assert to_booker["Reply-To"] == owner.email
    assert to_booker["Subject"].strip().startswith("Booked: ")
    with app.app_context():
        row = OutboxMail.get((OutboxMail.audience == "booker"))
        assert to_booker["Message-ID"] == row.message_id and row.sent_at and row.attempts == 1
    text, html, _ = parts(to_booker)
    start_ny = at(day, 10).astimezone(NEW_YORK)
    assert f"{start_ny:%H:%M}" in text and "(America/New_York)" in text  # the booker's zone
    assert "10:00–10:30 for" in text and "(Europe/Berlin)" in text  # and the owner's
    assert "Duration: 30 minutes" in text
    assert "Grace Hopper" in html and f"{start_ny:%H:%M}" in html
    assert link(text, "Reschedule").startswith(f"{PUBLIC_URL}/manage/")
    assert link(text, "Cancel").startswith(f"{PUBLIC_URL}/manage/")
    assert f'href="{link(text, "Reschedule")}"' in html

    ics, event = _ics_event(to_booker)
    assert ics["METHOD"] == "REQUEST"
    assert str(event["UID"]) == appointment.event_uid
    assert event.decoded("DTSTART") == at(day, 10) and event.decoded("DTEND") == at(day, 10, 30)
    assert event.decoded("SEQUENCE") == 0
    assert str(event["ORGANIZER"]) == f"mailto:{owner.email}"
    assert str(event["ATTENDEE"]) == "mailto:grace@example.com"
    assert event["ATTENDEE"].params["CN"] == "Grace Hopper"

    assert to_owner["To"].addresses[0].addr_spec == owner.email
    assert to_owner["Reply-To"] == "grace@example.com"
    owner_text, owner_html, owner_ics = parts(to_owner)
    assert "Grace Hopper <grace@example.com>" in owner_text and "Note: About the compiler" in owner_text
    assert "10:00–10:30 (Europe/Berlin)" in owner_text and "About the compiler" in owner_html
    assert owner_ics is None


def test_every_update_keeps_the_uid_raises_the_sequence_and_a_cancel_says_cancel(app, client, owner, day, smtp):
    book(client, owner, at(day, 10))
    smtp.wait_for(2)
    with app.app_context():
        appointment = Appointment.get()
        svc.reschedule(appointment, at(day, 14), at(day, 14, 30))  # the owner moves it
        svc.cancel(Appointment.get_by_id(appointment.id))
    messages = smtp.wait_for(4)
    assert len(messages) == 4  # the owner is not told of their own changes
    booked, moved, cancelled = [m for m in messages if "grace@example.com" in m["To"]]
    assert moved["Subject"].strip().startswith("Moved: ") and cancelled["Subject"].strip().startswith("Cancelled: ")
    assert len({m["Message-ID"] for m in messages}) == 4
    uids, sequences = set(), []
    for message, method in ((booked, "REQUEST"), (moved, "REQUEST"), (cancelled, "CANCEL")):
        ics, event = _ics_event(message)
        assert ics["METHOD"] == method
        uids.add(str(event["UID"]))
        sequences.append(event.decoded("SEQUENCE"))
    assert uids == {appointment.event_uid}
    assert sequences == [0, 1, 2]
    _, moved_event = _ics_event(moved)
    assert moved_event.decoded("DTSTART") == at(day, 14) and moved_event.decoded("DTEND") == at(day, 14, 30)
    _, cancelled_event = _ics_event(cancelled)
    assert str(cancelled_event["STATUS"]) == "CANCELLED"
    assert "cancelled by" in parts(cancelled)[0]
    assert "Reschedule:" not in parts(cancelled)[0]  # no links to a booking that is gone


def test_the_owner_can_turn_off_their_own_booking_mails(app, client, owner, day, smtp, auth):
    auth.login()
    csrf = auth.csrf_token()
    page = client.get("/settings/notifications")
    assert page.status_code == 200 and "E-mail me about bookings" in page.get_data(as_text=True)
    assert client.post("/settings/notifications", data={"csrf_token": csrf}).status_code == 303
    with app.app_context():
        assert User.get_by_id(owner.id).notify_bookings is False
    client.post("/logout", data={"csrf_token": csrf})
    book(client, owner, at(day, 10))
    messages = smtp.wait_for(1)
    assert [m["To"].addresses[0].addr_spec for m in messages] == ["grace@example.com"]


def test_an_appointment_the_owner_makes_for_a_contact_sends_nothing(app, owner, day, smtp):
    with app.app_context():
        svc.create_appointment(owner, at(day, 10), at(day, 11), "Intro", "Carol", "carol@example.com")
        assert OutboxMail.select().count() == 0


def _reminder_setup(app, owner, start, created_hours_before: float, status=Appointment.BOOKED):
    with app.app_context():
        appointment = Appointment.create(owner=owner.id, title="Intro", start_utc=start,
                                         end_utc=start + timedelta(minutes=30), status=status,
                                         booker_name="Grace", booker_email="grace@example.com",
                                         created_at=start - timedelta(hours=created_hours_before))
        return appointment


def test_a_reminder_goes_once_inside_the_window_and_never_for_late_or_cancelled_bookings(app, owner, smtp):
    from webapp.mail.outbox import enqueue_reminders, send_due

    now = datetime(2031, 3, 3, 8, 0)
    early = _reminder_setup(app, owner, now + timedelta(hours=5), created_hours_before=72)
    _reminder_setup(app, owner, now + timedelta(hours=6), created_hours_before=3)  # booked inside the window
    _reminder_setup(app, owner, now + timedelta(hours=7), created_hours_before=72, status=Appointment.CANCELLED)
    _reminder_setup(app, owner, now + timedelta(hours=30), created_hours_before=72)  # not yet due
    with app.app_context():
        assert enqueue_reminders(now) == 1
        assert enqueue_reminders(now + timedelta(minutes=1)) == 0  # once
        assert send_due(now + timedelta(minutes=1)) == 1
    (reminder,) = smtp.wait_for(1)
    assert reminder["Subject"].strip().startswith("Reminder: ")
    text, _, ics = parts(reminder)
    assert "a reminder of your appointment" in text and ics is None
    with app.app_context():
        row = OutboxMail.get()
        assert row.appointment_id == early.id and row.kind == "reminder"


def test_reminders_off_with_zero_hours(app, owner, smtp):
    from webapp.mail.outbox import enqueue_reminders

    app.config["REMINDER_HOURS"] = 0
    now = datetime(2031, 3, 3, 8, 0)
    _reminder_setup(app, owner, now + timedelta(hours=5), created_hours_before=72)
    with app.app_context():
        assert enqueue_reminders(now) == 0
