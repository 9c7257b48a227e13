"""What happens to a removed member's future team appointments: planned first (in words the admin
reads before confirming), then applied.

Decisions: a round-robin booking goes to another of the type's chosen members who is free then (by
the type's rules, chosen by the fairness rule); when nobody is, it is cancelled. A collective booking
is cancelled for everyone: the booker asked to meet all of these people together, so a meeting with
one of them missing is not the meeting booked, and quietly dropping one person would surprise both
sides; the booker is told and may book the remaining members again. Personal appointments are the
member's own and stay. The booker hears of every change by e-mail (through the outbox).

A reassigned booking keeps its row (its UID, the booker's links and invitation): the row changes
owner and is written to the new member's Primary Calendar, while a cancelled stand-in row left with
the old owner deletes the old copy from theirs.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .. import appointments, sync
from ..filters import clock, day
from ..mail import outbox
from ..models import Appointment, EventType, Team, User
from ..times import UTC, aware, naive_utc, utcnow
from . import assign
from .booking import _free_at, standings, zone_of_team
from .core import chosen, remove_from_team, teams_of

REASSIGN, CANCEL = "reassign", "cancel"


@dataclass(frozen=True)
class RemovalStep:
    appointment: Appointment
    action: str  # "reassign" | "cancel"
    to_user: User | None
    text: str


def _when(a: Appointment, team: Team) -> str:
    start = aware(a.start_utc).astimezone(zone_of_team(team))
    return f"{day(start, 'long')}, {clock(start)}"


def _future(user: User, team: Team | None, now: datetime) -> list[Appointment]:
    query = Appointment.live().where(Appointment.owner == user, Appointment.team.is_null(False),
                                     Appointment.booking_group.is_null(False), Appointment.start_utc > naive_utc(now))
    if team is not None:
        query = query.where(Appointment.team == team)
    return list(query.order_by(Appointment.start_utc, Appointment.id))


def _notice_met(a: Appointment) -> datetime:
    """A clock at which the booking's minimum notice is just met: notice is for bookers choosing a time,
    and handing over a booking made long ago is no new choice (a meeting in an hour can still move)."""
    return aware(a.start_utc) - timedelta(minutes=a.event_type.minimum_notice_minutes)


def _step(a: Appointment, user: User, now: datetime) -> RemovalStep:
    kind, team = a.event_type, a.team
    who = a.booker_name or (a.contact.name if a.contact_id else "") or "the booker"
    when = _when(a, team)
    if kind is not None and kind.kind == EventType.ROUND_ROBIN:
        others = [(u, row) for u, row in chosen(kind) if u.id != user.id]
        free = [(u, row) for u, row in others if _free_at(u, kind, a.start_utc, _notice_met(a))]
        if free:
            to = next(u for u, _ in free if u.id == assign.pick(standings(kind, free, now)).user_id)
            return RemovalStep(a, REASSIGN, to, f"{a.title} on {when} goes to {to.name}; {who} is told by e-mail.")
        return RemovalStep(a, CANCEL, None, f"{a.title} on {when} is cancelled: no other member of "
                                            f"{kind.title} is free then; {who} is told by e-mail.")
    names = ", ".join(c.owner.name for c in appointments.group_of(a) if c.status == Appointment.BOOKED)
    return RemovalStep(a, CANCEL, None, f"{a.title} on {when} is cancelled for everyone ({names}): a collective "
                                        f"meeting needs every member; {who} is told by e-mail.")


def removal_plan(user: User, team: Team | None = None, now: datetime | None = None) -> list[RemovalStep]:
    """What removing `user` (from every team, or from `team`) does to their future team appointments."""
    now = now or datetime.now(UTC)
    return [_step(a, user, now) for a in _future(user, team, now)]


def apply_removal(user: User, team: Team | None = None, now: datetime | None = None) -> list[RemovalStep]:
    """Carry out the plan (made again now, so it is current) and take `user` out of the team(s)."""
    now = now or datetime.now(UTC)
    done = []
    for step in removal_plan(user, team, now):
        a = Appointment.get_by_id(step.appointment.id)
        if a.status != Appointment.BOOKED:
            continue
        if step.action == REASSIGN and _reassign(a, step.to_user):
            done.append(step)
            continue
        if step.action == REASSIGN:  # the member was taken meanwhile
            step = RemovalStep(a, CANCEL, None, f"{a.title} on {_when(a, a.team)} is cancelled: nobody else was free.")
        appointments.cancel(a, actor="owner", reason="A team member left the team.")
        done.append(step)
    for each in ([team] if team is not None else teams_of(user)):
        remove_from_team(each, user)
    return done


def _reassign(a: Appointment, to: User) -> bool:
    """Hand the booking to `to` if they are still free (under both locks); False when not."""
    old = a.owner
    with appointments._locked(old, to):
        if not _free_at(to, a.event_type, a.start_utc, _notice_met(a)):
            return False
        stand_in = None
        if a.remote_href is not None:  # the old owner's copy: deleted from their calendar by their push
            stand_in = Appointment.create(
                owner=old, event_type=a.event_type, title=a.title, start_utc=a.start_utc, end_utc=a.end_utc,
                status=Appointment.CANCELLED, remote_calendar=a.remote_calendar_id, remote_href=a.remote_href,
                remote_etag=a.remote_etag, remote_uid=a.remote_uid, push_state=Appointment.PUSH_PENDING,
                team=a.team_id, cancel_reason="Handed to another team member.")
        a.owner = to
        a.contact = appointments.contact_for(to, a.booker_name or a.contact.name, a.booker_email or a.contact.email) \
            if (a.booker_email or a.contact_id) else None
        a.remote_calendar = a.remote_href = a.remote_etag = a.remote_uid = None
        a.push_state, a.updated_at = Appointment.PUSH_PENDING, utcnow()
        a.save()
        outbox.enqueue_change(a, "reassigned", "owner", to_owner=True)
    for row in (stand_in, a):
        if row is not None:
            sync.request_push(row.id)
    outbox.request_send()
    return True


__all__ = ["CANCEL", "REASSIGN", "RemovalStep", "apply_removal", "removal_plan"]
