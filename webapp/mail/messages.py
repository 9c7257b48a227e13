"""What each e-mail says: composed from the row's snapshot, then turned into an EmailMessage.

The snapshot is taken in the transaction of the change, so a message sent later (after a retry, or
once PUBLIC_URL is set) still tells what happened then.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, format_datetime

from flask import current_app

from ..filters import clock, day
from ..times import UTC, naive_utc, zone_named
from . import settings, tokens
from .invitation import CANCEL, REQUEST, Person, invitation_ics


SUBJECTS = {
    ("booker", "booked"): "Booked: {title}, {when}",
    ("booker", "rescheduled"): "Moved: {title}, now {when}",
    ("booker", "reassigned"): "Now with {who}: {title}, {when}",
    ("booker", "cancelled"): "Cancelled: {title}, {when}",
    ("booker", "reminder"): "Reminder: {title}, {when}",
    ("owner", "booked"): "New booking: {booker} on {when}",
    ("owner", "rescheduled"): "{booker} moved their appointment to {when}",
    ("owner", "reassigned"): "{booker}'s appointment on {when} is now yours",
    ("owner", "cancelled"): "{booker} cancelled their appointment on {when}",
}


@dataclass
class Composed:
    subject: str
    text: str
    html: str
    ics: str | None


@dataclass
class Moment:
    """One instant shown in one zone."""

    value: datetime
    zone: str

    @property
    def clock(self) -> str:
        return clock(self.value)

    def __str__(self) -> str:
        return f"{day(self.value, 'long')}, {self.clock}"


def _in(value: datetime, zone: str) -> Moment:
    return Moment(value.astimezone(zone_named(zone)), zone)


def _path(endpoint: str, **values: str) -> str:
    return current_app.url_map.bind("localhost").build(endpoint, values)


def links(base: str | None, appointment_uuid: str) -> dict[str, str] | None:
    """Manage, Reschedule and Cancel links from PUBLIC_URL; None without it."""
    if not base:
        return None
    token = tokens.token_for(appointment_uuid)
    return {name: base + _path(f"manage.{name}", token=token) for name in ("overview", "reschedule", "cancel")}


def _render(name: str, context: dict) -> str:
    """A mail template without the request's context processors (mail is composed in the background too)."""
    return current_app.jinja_env.get_template(name).render(**context)


def invitation_link(base: str, snap: dict) -> str:
    """The accept link of an invitation e-mail, from PUBLIC_URL."""
    return base + _path("team.accept", token=tokens.invitation_token(snap["invitation"], snap["nonce"]))


def compose_invitation(snap: dict, base: str | None, *, with_link: bool = False) -> Composed:
    """An invitation into the instance. Stored without its link (`with_link` only as it is sent), so the
    database never holds a working token."""
    inviter = snap["owner"]
    context = {"inviter": inviter, "team": snap.get("team"),
               "expires": _in(datetime.fromisoformat(snap["expires"]), inviter["timezone"]),
               "link": invitation_link(base, snap) if with_link and base else None}
    subject = f"{inviter['name']} invites you to Slotwise"
    if snap.get("team"):
        subject += f" ({snap['team']['name']})"
    return Composed(subject=subject[:500], text=_render("mail/invitation.txt", context),
                    html=_render("mail/invitation.html", context), ics=None)


def _names(people: list[dict]) -> str:
    """"Ada", "Ada and Bob", "Ada, Bob and Cleo"."""
    names = [p["name"] for p in people]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def compose(snap: dict, base: str | None) -> Composed:
    if snap["kind"] == "invitation":
        return compose_invitation(snap, base)
    start = datetime.fromisoformat(snap["start"])
    end = datetime.fromisoformat(snap["end"])
    owner, booker = snap["owner"], snap["booker"]
    booker_zone = booker.get("timezone") or owner["timezone"]
    context = {
        "snap": snap, "kind": snap["kind"], "title": snap["title"], "owner": owner, "booker": booker,
        "minutes": int((end - start).total_seconds() // 60),
        "booker_start": _in(start, booker_zone), "booker_end": _in(end, booker_zone),
        "owner_start": _in(start, owner["timezone"]), "owner_end": _in(end, owner["timezone"]),
        "same_zone": _in(start, booker_zone).value.utcoffset() == _in(start, owner["timezone"]).value.utcoffset(),
        "links": links(base, snap["uuid"]) if snap["kind"] != "cancelled" else None,
        "reason": snap.get("reason") or "",
        # whom the booker meets: every member of a team booking, else the owner
        "members": snap.get("members") or [], "who": _names(snap.get("members") or [owner]),
    }
    audience = snap["audience"]
    when = str(context["booker_start"] if audience == "booker" else context["owner_start"])
    subject = SUBJECTS[(audience, snap["kind"])].format(title=snap["title"], when=when, booker=booker["name"],
                                                  who=context["who"])
    text = _render(f"mail/{audience}.txt", context)
    html = _render(f"mail/{audience}.html", context)
    ics = None
    if audience == "booker" and snap["kind"] != "reminder":
        ics = invitation_ics(
            uid=snap["uid"], sequence=snap["sequence"], method=CANCEL if snap["kind"] == "cancelled" else REQUEST,
            start_utc=naive_utc(start), end_utc=naive_utc(end),
            zone_name=owner["timezone"], summary=snap["title"], description=text,
            organizer=Person(owner["name"], owner["email"]), attendee=Person(booker["name"], booker["email"]),
            dtstamp=naive_utc(datetime.fromisoformat(snap["at"])),
        )
    return Composed(subject=subject[:500], text=text, html=html, ics=ics)


def email_message(row, mail_from: str) -> EmailMessage:
    """The row as an RFC 5322 message: text and HTML alternatives, the invitation attached."""
    snap = row.snapshot
    text, html = row.body_text, row.body_html
    message = EmailMessage()
    message["Subject"] = row.subject
    message["From"] = formataddr((f"{snap['owner']['name']} via Slotwise", mail_from))
    if row.kind == "invitation":
        message["To"] = row.recipient
        message["Reply-To"] = snap["owner"]["email"]
        composed = compose_invitation(snap, settings.public_url(current_app.config), with_link=True)
        text, html = composed.text, composed.html
    else:
        message["To"] = formataddr((snap["booker"]["name"], row.recipient) if row.audience == "booker" else
                                   (snap["owner"]["name"], row.recipient))
        message["Reply-To"] = snap["owner"]["email"] if row.audience == "booker" else snap["booker"]["email"]
    message["Date"] = format_datetime(row.created_at.replace(tzinfo=UTC))
    message["Message-ID"] = row.message_id
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if row.ics:
        method = "CANCEL" if snap["kind"] == "cancelled" else "REQUEST"
        message.add_attachment(row.ics.encode("utf-8"), maintype="text", subtype="calendar",
                               filename="invite.ics", params={"method": method})
    return message


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the n-th failed attempt: 1, 2, 4 … minutes, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))
