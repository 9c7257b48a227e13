"""The durable mail outbox: rows written with the change, sent after the commit, retried with back-off.

At most once per row, except one case SMTP cannot tell apart: a sender that dies after the server
accepted a message and before the row says so. The row was claimed (claimed_at, committed) before the
SMTP transaction, so after MAIL_CLAIM_MINUTES another sender sends it again, once, with the same
Message-ID (mail programs that see the same Message-ID twice show one message).
"""
from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timedelta
from email.utils import make_msgid

from flask import Flask, current_app
from peewee import IntegrityError

from ..background import in_background
from ..db import database
from ..models import Appointment, OutboxMail, User
from ..times import iso, utcnow
from . import messages, settings
from .sender import MailError, deliver

log = logging.getLogger(__name__)
CLAIM = timedelta(minutes=5)  # a claim older than this belongs to a sender that died
CHANGE_KINDS = ("booked", "rescheduled", "reassigned", "cancelled")

_sending = threading.Lock()  # one sender at a time in this process; claims keep other processes apart


def _snapshot(appointment: Appointment, owner: User, kind: str, audience: str, actor: str | None,
              sequence: int) -> dict:
    return {
        "kind": kind, "audience": audience, "actor": actor, "uuid": appointment.uuid,
        "uid": appointment.event_uid, "sequence": sequence, "title": appointment.title,
        "start": iso(appointment.start_utc), "end": iso(appointment.end_utc), "at": iso(utcnow()),
        "owner": {"name": owner.name, "email": owner.email, "timezone": owner.timezone or "UTC"},
        "booker": {"name": appointment.booker_name or "", "email": appointment.booker_email or "",
                   "timezone": appointment.booker_timezone, "note": appointment.booker_note or ""},
        "reason": appointment.cancel_reason or "",
        "members": _members(appointment),
    }


def _members(appointment: Appointment) -> list[dict]:
    """Whom a team booking meets: the owners of the group's copies in the same state (empty: personal)."""
    if not appointment.booking_group:
        return []
    rows = (User.select(User.display_name, User.email).join(Appointment, on=(Appointment.owner == User.id))
            .where(Appointment.booking_group == appointment.booking_group, Appointment.status == appointment.status)
            .order_by(Appointment.id))
    return [{"name": u.name, "email": u.email} for u in rows]


def _domain() -> str:
    sender = current_app.config.get("MAIL_FROM") or ""
    return sender.rpartition("@")[2].strip(" >") or "slotwise.invalid"


def _write(appointment: Appointment, owner: User, kind: str, audience: str, actor: str | None,
           recipient: str, key: str | None = None) -> OutboxMail:
    sequence = OutboxMail.select().where(OutboxMail.appointment == appointment.id, OutboxMail.audience == "booker",
                                         OutboxMail.kind.in_(CHANGE_KINDS)).count()
    snap = _snapshot(appointment, owner, kind, audience, actor, sequence)
    message_id = make_msgid(domain=_domain())
    row = OutboxMail(owner=owner.id, appointment=appointment.id, kind=kind, audience=audience, recipient=recipient,
                     dedupe_key=key or message_id, snapshot_json=json.dumps(snap), message_id=message_id)
    _compose(row)
    row.save()
    return row


def _compose(row: OutboxMail) -> None:
    """Fill subject and bodies from the snapshot, once PUBLIC_URL allows links."""
    base = settings.public_url(current_app.config)
    if base is None or row.body_text:
        return
    composed = messages.compose(row.snapshot, base)
    row.subject, row.body_text, row.body_html, row.ics = composed.subject, composed.text, composed.html, composed.ics


def enqueue_change(appointment: Appointment, kind: str, actor: str, *, to_booker: bool = True,
                   to_owner: bool = False) -> list[OutboxMail]:
    """Inside the change's transaction: the booker's e-mail, and the owner's when a booker acted.

    Only appointments booked on the public page have a booker to write to; an appointment the owner
    made for a contact sends nothing. A team booking writes to its booker once (`to_booker` on one
    copy), naming every member, and to each member; `to_owner` tells the owner whoever acted (a
    team booking handed to them).
    """
    if not appointment.booker_email:
        return []
    owner = User.get_by_id(appointment.owner_id)
    rows = [_write(appointment, owner, kind, "booker", actor, appointment.booker_email)] if to_booker else []
    if (actor == "booker" or to_owner) and owner.notify_bookings:
        rows.append(_write(appointment, owner, kind, "owner", actor, owner.email))
    return rows


def enqueue_invitation(invitation, inviter: User) -> OutboxMail:
    """Inside the invitation's transaction: its e-mail (owned by the inviting admin). An earlier e-mail of
    the same invitation still waiting is dropped: its link no longer works."""
    drop_unsent_invitation(invitation.id)
    snap = {"kind": "invitation", "audience": "invitee", "invitation": invitation.id, "nonce": invitation.nonce,
            "at": iso(utcnow()), "expires": iso(invitation.expires_at),
            "owner": {"name": inviter.name, "email": inviter.email, "timezone": inviter.timezone or "UTC"},
            "team": {"name": invitation.team.name} if invitation.team_id else None}
    message_id = make_msgid(domain=_domain())
    row = OutboxMail(owner=inviter.id, kind="invitation", audience="invitee", recipient=invitation.email,
                     dedupe_key=f"invitation:{invitation.id}:{message_id}", snapshot_json=json.dumps(snap),
                     message_id=message_id)
    _compose(row)
    row.save()
    return row


def drop_unsent_invitation(invitation_id: int) -> None:
    """Forget the invitation's e-mails not sent yet (it was sent again or revoked)."""
    OutboxMail.delete().where(OutboxMail.kind == "invitation", OutboxMail.sent_at.is_null(),
                              OutboxMail.dedupe_key.startswith(f"invitation:{invitation_id}:")).execute()


def enqueue_reminders(now: datetime | None = None) -> int:
    """Reminder rows for appointments starting within REMINDER_HOURS; once each, never for ones booked
    (or moved) inside that window, never after a cancel. Returns how many were written."""
    hours = float(current_app.config.get("REMINDER_HOURS") or 0)
    if hours <= 0:
        return 0
    now = now or utcnow()
    window = timedelta(hours=hours)
    due = Appointment.live().where(Appointment.booker_email.is_null(False), Appointment.start_utc > now,
                                   Appointment.start_utc <= now + window)
    written = 0
    for appointment in due:
        key = f"reminder:{appointment.id}:{appointment.start_utc.isoformat()}"
        last_change = (OutboxMail.select(OutboxMail.created_at)
                       .where(OutboxMail.appointment == appointment.id, OutboxMail.audience == "booker",
                              OutboxMail.kind.in_(CHANGE_KINDS))
                       .order_by(OutboxMail.created_at.desc()).first())
        told_at = last_change.created_at if last_change else appointment.created_at
        if told_at >= appointment.start_utc - window or OutboxMail.get_or_none(OutboxMail.dedupe_key == key):
            continue
        try:
            with database.atomic():
                _write(appointment, User.get_by_id(appointment.owner_id), "reminder", "booker", None,
                       appointment.booker_email, key)
            written += 1
        except IntegrityError:  # another scheduler wrote it first
            continue
    return written


def _claim(row_id: int, now: datetime) -> bool:
    """Mark the row as being sent (committed before SMTP starts); False when another sender has it."""
    claimed = OutboxMail.update(claimed_at=now, attempts=OutboxMail.attempts + 1).where(
        OutboxMail.id == row_id, OutboxMail.sent_at.is_null(),
        OutboxMail.claimed_at.is_null() | (OutboxMail.claimed_at < now - CLAIM),
    ).execute()
    return claimed == 1


def send_due(now: datetime | None = None, limit: int = 50) -> int:
    """Send what is due; failures are written on their rows. Returns how many were sent."""
    config = current_app.config
    if settings.problems(config):
        return 0
    server = settings.parse_mail_url(config["MAIL_URL"])
    sent = 0
    with _sending:
        now = now or utcnow()
        due = list(OutboxMail.unsent().where(OutboxMail.next_attempt_at <= now)
                   .order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(limit))
        for row in due:
            if not _claim(row.id, now):
                continue
            row = OutboxMail.get_by_id(row.id)
            if row.attempts > 1 and row.last_error is None:
                log.warning("outbox mail %s: the last sender stopped mid-send; sending it again", row.message_id)
            try:
                _compose(row)
                row.save()
                deliver(server, messages.email_message(row, config["MAIL_FROM"]), float(config["MAIL_TIMEOUT_SECONDS"]))
            except MailError as exc:
                retry = None if exc.permanent else utcnow() + messages.retry_delay(row.attempts)
                OutboxMail.update(last_error=str(exc), next_attempt_at=retry, claimed_at=None).where(
                    OutboxMail.id == row.id).execute()
                log.warning("outbox mail %s to %s failed: %s", row.id, row.recipient, exc)
                continue
            OutboxMail.update(sent_at=utcnow(), last_error=None, claimed_at=None).where(
                OutboxMail.id == row.id).execute()
            sent += 1
    return sent


def retry(row: OutboxMail) -> None:
    """The owner's Retry: try a failed or waiting row at the next run."""
    OutboxMail.update(next_attempt_at=utcnow(), claimed_at=None).where(
        OutboxMail.id == row.id, OutboxMail.sent_at.is_null()).execute()


def _inline(app: Flask) -> bool:
    return bool(app.config.get("MAIL_INLINE", app.testing))


def request_send() -> None:
    """After a commit that wrote rows: send them now, in the background (inline when testing)."""
    app = current_app._get_current_object()
    if settings.problems(app.config):
        return
    if _inline(app):
        send_due()
        return

    in_background(app, "slotwise-mail", send_due)
