"""E-mail to bookers and owners: settings, the outbox, messages, invitations, self-service tokens.

Public API: `outbox.enqueue_change` (in a change's transaction), `outbox.request_send` (after it),
`outbox.enqueue_invitation` (an invitation into the instance), `outbox.enqueue_reminders` and
`outbox.send_due` (`outbox_tick`, which the scheduler runs every minute),
`tokens` (self-service links).
"""
from __future__ import annotations

import click
from flask import Flask

from ..sync.scheduler import add_job
from . import settings

OUTBOX_JOB_ID = "slotwise-mail-outbox"
OUTBOX_INTERVAL_SECONDS = 60


def outbox_tick() -> int:
    """Write due reminders, send what is due (retries after back-off); how many were sent."""
    from .outbox import enqueue_reminders, send_due

    enqueue_reminders()
    return send_due()


def init_app(app: Flask) -> None:
    settings.validate(app.config)  # a MAIL_URL or PUBLIC_URL that cannot be read stops the start
    add_job(app, OUTBOX_JOB_ID, outbox_tick, seconds=OUTBOX_INTERVAL_SECONDS, first_after=10)

    @app.cli.command("send-mail")
    def send_mail_command() -> None:
        """Write due reminders and send what waits in the outbox (the scheduler does this every minute)."""
        from .outbox import enqueue_reminders, send_due

        for problem in settings.problems(app.config):
            click.echo(problem)
        reminders = enqueue_reminders()
        click.echo(f"{reminders} reminder(s) written, {send_due()} e-mail(s) sent.")

    @app.context_processor
    def _mail_failures() -> dict:
        """Messages that failed: every page of their owner says so."""
        from flask_login import current_user

        from ..models import OutboxMail

        if not current_user.is_authenticated:
            return {"failed_mail_count": 0}
        count = OutboxMail.unsent().where(OutboxMail.owner == current_user.id,
                                          OutboxMail.last_error.is_null(False)).count()
        return {"failed_mail_count": count}
