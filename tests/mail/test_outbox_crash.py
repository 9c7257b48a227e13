"""The sender killed after the SMTP server has the message and before the row says so: after a restart the
message goes out at most once more, with the same Message-ID, and never a third time."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_KEY
from webapp.mail.outbox import CLAIM, send_due
from webapp.models import OutboxMail, utcnow

from .conftest import at
from .helpers import book

ROOT = Path(__file__).parents[2]


def test_a_sender_killed_mid_send_sends_that_message_at_most_once_more_with_the_same_message_id(
        app, app_config, client, owner, day, smtp):
    app.config["MAIL_URL"] = None  # the booking writes its rows; a separate process sends them
    assert book(client, owner, at(day, 10)).status_code == 303
    with app.app_context():
        row = OutboxMail.get(OutboxMail.audience == "booker")

    hold = smtp.hold()  # the server takes the whole message, then waits before its 250
    env = {**os.environ, "DATABASE_URL": app_config["DATABASE_URL"], "SLOTWISE_ENCRYPTION_KEY": TEST_KEY,
           "SECRET_KEY": "crash-test", "MAIL_URL": smtp.url, "MAIL_FROM": app_config["MAIL_FROM"],
           "PUBLIC_URL": app_config["PUBLIC_URL"], "SCHEDULER_ENABLED": "0"}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "webapp", "send-mail"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert hold.arrived.wait(timeout=60), "the sender never reached the SMTP server"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        hold.release.set()
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == -signal.SIGKILL
    assert [m["Message-ID"] for m in smtp.received] == [row.message_id]
    with app.app_context():
        left = OutboxMail.get_by_id(row.id)
        assert left.sent_at is None and left.claimed_at is not None and left.attempts == 1

        # a restart at once leaves the claim alone: the killed sender cannot be told from a slow one
        app.config["MAIL_URL"] = smtp.url
        now = utcnow()
        assert send_due(now) == 1  # only the owner's message, never sent before
        assert [m["Message-ID"] for m in smtp.received].count(row.message_id) == 1
        # once the claim is stale, the message goes again, with the same Message-ID
        later = now + CLAIM + CLAIM
        assert send_due(later) == 1
        assert send_due(later + CLAIM + CLAIM) == 0
        done = OutboxMail.get_by_id(row.id)
        assert done.sent_at is not None and done.attempts == 2
    ids = [m["Message-ID"] for m in smtp.wait_for(3)]
    assert ids.count(row.message_id) == 2 and len(ids) == 3
