"""The outbox when e-mail cannot go out: nothing lost, no 500, the owner sees why, retries with back-off."""
from __future__ import annotations

from datetime import timedelta

from tests.rigs.smtp_rig import free_port
from webapp.mail.outbox import send_due
from webapp.models import Appointment, OutboxMail, utcnow

from .conftest import at
from .helpers import book


def test_without_mail_url_messages_wait_in_the_outbox_and_the_owner_is_told(app, client, owner, day, smtp, auth):
    app.config["MAIL_URL"] = None
    assert book(client, owner, at(day, 10)).status_code == 303
    with app.app_context():
        rows = list(OutboxMail.select())
        assert len(rows) == 2 and all(r.sent_at is None and r.attempts == 0 for r in rows)
    auth.login()
    page = client.get("/settings/notifications").get_data(as_text=True)
    assert "E-mail is not configured: set MAIL_URL" in page
    assert "grace@example.com" in page and "waiting" in page
    assert smtp.received == []


def test_without_public_url_nothing_is_sent_and_the_links_come_once_it_is_set(app, client, owner, day, smtp, auth):
    app.config["PUBLIC_URL"] = None
    book(client, owner, at(day, 10))
    with app.app_context():
        assert all(r.body_text is None for r in OutboxMail.select())
    auth.login()
    assert "PUBLIC_URL is not set" in client.get("/settings/notifications").get_data(as_text=True)
    app.config["PUBLIC_URL"] = "https://later.example.test"
    with app.app_context():
        assert send_due() == 2
    booker = smtp.to("grace@example.com")[0]
    assert "https://later.example.test/manage/" in booker.get_body(("plain",)).get_content()


def test_a_server_that_is_down_costs_no_500_and_is_retried_with_the_same_message_id(app, client, owner, day, smtp,
                                                                                     auth):
    working = app.config["MAIL_URL"]
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens
    assert book(client, owner, at(day, 10)).status_code == 303
    with app.app_context():
        row = OutboxMail.get(OutboxMail.audience == "booker")
        assert row.attempts == 1 and row.sent_at is None and "cannot be reached" in row.last_error
        assert row.next_attempt_at > utcnow()  # backing off
        assert Appointment.get().status == Appointment.BOOKED
        assert send_due() == 0  # not due yet
    auth.login()
    page = client.get("/settings/notifications").get_data(as_text=True)
    assert "2 e-mails could not be sent" in page and "cannot be reached" in page

    app.config["MAIL_URL"] = working
    with app.app_context():
        assert send_due(utcnow() + timedelta(minutes=2)) == 2
        row = OutboxMail.get_by_id(row.id)
        assert row.sent_at and row.last_error is None and row.attempts == 2
    assert smtp.to("grace@example.com")[0]["Message-ID"] == row.message_id


def test_a_password_is_never_sent_to_a_server_without_starttls(app, client, owner, day, smtp, auth):
    app.config["MAIL_URL"] = f"smtp://user:secret@127.0.0.1:{smtp.port}"
    assert book(client, owner, at(day, 10)).status_code == 303
    with app.app_context():
        row = OutboxMail.get(OutboxMail.audience == "booker")
        assert "does not offer STARTTLS" in row.last_error and "secret" not in row.last_error
        assert row.state == "failed"  # not retried: it would fail the same way
    assert smtp.received == []
    auth.login()
    page = client.get("/settings/notifications").get_data(as_text=True)
    assert "failed, not retried" in page and "secret" not in page
    # the owner's Retry puts it back in line
    csrf = auth.csrf_token()
    assert client.post(f"/settings/notifications/{row.id}/retry", data={"csrf_token": csrf}).status_code == 303
