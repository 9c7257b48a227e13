"""Members of the instance: invitations by e-mail (Settings → Team), the accept link, admins, removal.

An invitation's link signs (invitation id, nonce) with SECRET_KEY (mail.tokens): nothing stored opens it.
It works once, for INVITATION_DAYS; sending again gives the same row a new nonce and date (earlier links
stop working). A removed member keeps their row (bookers' links and past appointments name it) but
cannot sign in: see `apply_removal`.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import fn

from . import appointments, event_types, teams
from .auth import UserError, check_new_password, create_user, end_all_sessions
from .cleaning import clean_email
from .db import database
from .filters import clock, day
from .mail import outbox, tokens
from .models import ApiToken, Appointment, EventType, Invitation, Team, TeamEventTypeMember, TeamMember, User
from .times import aware, is_zone, utcnow, zone_named

INVITATION_DAYS = 7


class NotAdmin(PermissionError):
    """Only admins invite, make admins and remove members (the views answer 403)."""


class Invalid(ValueError):
    """Input that cannot be used: `errors` maps each field to words a person can act on."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


class Refused(ValueError):
    """A change that would break a rule of the instance (no admin left, removing oneself); said as it is."""


@dataclass(frozen=True)
class LinkProblem(Exception):
    """An invitation link that cannot be used: `status` (404 forged, 410 the others) and words."""

    status: int
    title: str
    message: str


@dataclass(frozen=True)
class Step:
    """One thing removing a member does, said before it is done (the shape of teams.RemovalStep)."""

    text: str
    action: str = "cancel"  # cancel | reassign | account
    appointment: Appointment | None = None
    to_user: User | None = None


def _require_admin(user: User) -> None:
    if not user.is_admin or not user.is_active:
        raise NotAdmin("Only an admin can do this.")


def members() -> list[User]:
    """Everyone who can sign in, oldest first."""
    return list(User.select().where(User.removed_at.is_null()).order_by(User.created_at, User.id))


def pending_invitations() -> list[Invitation]:
    """Invitations not accepted and not revoked (expired ones too: they can be sent again)."""
    return list(Invitation.select().where(Invitation.accepted_at.is_null(), Invitation.revoked_at.is_null())
                .order_by(Invitation.created_at.desc(), Invitation.id.desc()))


# --- invitations ------------------------------------------------------------------------------------


def invite(invited_by: User, email: str, team: Team | None = None, now: datetime | None = None) -> Invitation:
    """Invite an e-mail into the instance (and into `team`): the e-mail goes through the outbox.

    Inviting an e-mail with a pending (or expired, or revoked) invitation refreshes that row.
    """
    _require_admin(invited_by)
    address = clean_email(email)
    if address is None:
        raise Invalid({"email": "Enter a valid e-mail address, such as grace@example.com."})
    existing = User.by_email(address)
    if existing is not None:
        if existing.removed_at is not None:
            raise Invalid({"email": f"{address} belonged to a member who was removed; that account cannot be "
                                    "invited again."})
        raise Invalid({"email": f"{address} already has an account here: add them to a team instead."})
    now = now or utcnow()
    with database.atomic():
        invitation = (Invitation.select().where(fn.LOWER(Invitation.email) == address,
                                                Invitation.accepted_at.is_null())
                      .order_by(Invitation.id.desc()).first()) or Invitation(email=address)
        invitation.invited_by = invited_by
        invitation.team = team
        invitation.created_at = now
        invitation.expires_at = now + timedelta(days=INVITATION_DAYS)
        invitation.revoked_at = None
        invitation.nonce = secrets.token_urlsafe(16)
        invitation.save()
        outbox.enqueue_invitation(invitation, invited_by)
    outbox.request_send()
    return invitation


def resend(invited_by: User, invitation: Invitation, now: datetime | None = None) -> Invitation:
    """The same invitation again, with a new link valid INVITATION_DAYS from now."""
    return invite(invited_by, invitation.email, invitation.team, now)


def revoke(admin: User, invitation: Invitation) -> None:
    """The invitation's link stops working; an e-mail of it not sent yet is not sent."""
    _require_admin(admin)
    with database.atomic():
        Invitation.update(revoked_at=utcnow()).where(Invitation.id == invitation.id).execute()
        outbox.drop_unsent_invitation(invitation.id)


def invitation_for(token: str, now: datetime | None = None) -> Invitation:
    """The pending invitation a link opens, or LinkProblem saying why not."""
    named = tokens.invitation_of(token)
    if named is None:
        raise LinkProblem(404, "Invitation link not valid",
                          "This invitation link is not one Slotwise made. Check that you opened the whole link "
                          "from the e-mail, or ask whoever invited you to send it again.")
    invitation = Invitation.get_or_none(Invitation.id == named[0])
    if invitation is None or invitation.revoked_at is not None:
        raise LinkProblem(410, "Invitation withdrawn",
                          "This invitation was withdrawn by an admin. Ask them for a new one if you still "
                          "need an account.")
    if invitation.accepted_at is not None:
        raise LinkProblem(410, "Invitation already used",
                          "This invitation was already used to create an account. Sign in with its e-mail "
                          "and password instead.")
    if not invitation.nonce or not secrets.compare_digest(invitation.nonce, named[1]):
        raise LinkProblem(410, "Invitation sent again",
                          "This link was replaced: the invitation was sent again. Use the link in the newest "
                          "invitation e-mail.")
    if (now or utcnow()) >= invitation.expires_at:
        raise LinkProblem(410, "Invitation expired",
                          f"This invitation expired on {day(invitation.expires_at, 'long')} (it is valid "
                          f"{INVITATION_DAYS} days). Ask whoever invited you to send it again.")
    if User.by_email(invitation.email) is not None:
        raise LinkProblem(410, "Account exists",
                          f"{invitation.email} already has an account here. Sign in with it instead.")
    return invitation


def accept(token: str, name: str, timezone: str, password: str, now: datetime | None = None) -> User:
    """Create the invited user (the sign-up path), join the invitation's team, use the link up."""
    invitation = invitation_for(token, now)
    errors = {}
    if not name.strip():
        errors["name"] = "Enter your name, as bookers will see it."
    if not is_zone(timezone):
        errors["timezone"] = "Choose your time zone from the list."
    try:
        check_new_password(password)
    except UserError as exc:
        errors["password"] = str(exc)
    if errors:
        raise Invalid(errors)
    with database.atomic():
        used = Invitation.update(accepted_at=now or utcnow()).where(
            Invitation.id == invitation.id, Invitation.accepted_at.is_null(), Invitation.revoked_at.is_null(),
            Invitation.nonce == invitation.nonce).execute()
        if used != 1:  # accepted or withdrawn at this very moment
            raise LinkProblem(410, "Invitation already used", "This invitation was just used or withdrawn.")
        try:
            user = create_user(invitation.email, password, name, timezone)
        except UserError as exc:
            raise LinkProblem(410, "Account exists", str(exc)) from exc
        Invitation.update(user=user).where(Invitation.id == invitation.id).execute()
        if invitation.team_id:
            teams.add_member(invitation.team, user)
    return user


# --- admins -----------------------------------------------------------------------------------------


def set_admin(actor: User, user: User, admin: bool) -> None:
    """Make or unmake an admin; the last admin stays one."""
    _require_admin(actor)
    if admin:
        User.update(is_admin=True).where(User.id == user.id, User.removed_at.is_null()).execute()
        return
    others = User.select(fn.COUNT(User.id)).where(User.is_admin == True, User.removed_at.is_null(),  # noqa: E712
                                                  User.id != user.id)
    # One statement: two admins unmaking each other at once cannot leave none.
    if not User.update(is_admin=False).where(User.id == user.id, others > 0).execute():
        raise Refused(f"{user.name} is the only admin. Make someone else an admin first: the instance always "
                      "keeps one.")


# --- removal ----------------------------------------------------------------------------------------


def _when(appointment: Appointment, zone: str) -> str:
    start = aware(appointment.start_utc).astimezone(zone_named(zone))
    return f"{day(start, 'long')}, {clock(start)} ({zone})"


def _future_personal(user: User, now: datetime) -> list[Appointment]:
    """The user's future appointments outside team booking groups (those are teams.removal_plan's)."""
    return list(Appointment.live().where(Appointment.owner == user, Appointment.start_utc > now,
                                         Appointment.booking_group.is_null()).order_by(Appointment.start_utc))


def _cancel_step(appointment: Appointment, zone: str) -> Step:
    who = appointment.booker_name or (appointment.contact.name if appointment.contact_id else "")
    told = f"; {appointment.booker_email} is e-mailed" if appointment.booker_email else ""
    return Step(f"Cancel {appointment.title} on {_when(appointment, zone)}{' with ' + who if who else ''}"
                f"{told}; it is removed from the iCloud calendar.", appointment=appointment)


def removal_plan(user: User, now: datetime | None = None) -> list[Step]:
    """What removing `user` does, step by step, in the order `apply_removal` does it."""
    now = now or utcnow()
    steps: list = teams.removal_plan(user, now=aware(now))  # reassigned to a free member, else cancelled
    steps += [_cancel_step(a, user.timezone or "UTC") for a in _future_personal(user, now)]
    memberships = [m.team.name for m in TeamMember.select(TeamMember, Team).join(Team).where(TeamMember.user == user)]
    if memberships:
        steps.append(Step(f"Take {user.name} out of {', '.join(memberships)}.", action="account"))
    steps.append(Step(f"Close {user.name}'s account: they are signed out everywhere, cannot sign in again, their "
                      "API tokens stop working and their booking page offers no times. Past appointments stay.",
                      action="account"))
    return steps


def plan_key(steps: list[Step]) -> str:
    """What the confirmation page showed, to refuse applying a plan that changed since."""
    return ",".join(f"{s.action}:{s.appointment.id if s.appointment else ''}:{s.to_user.id if s.to_user else ''}"
                    for s in steps)


def apply_removal(actor: User, user: User, now: datetime | None = None) -> list[Step]:
    """Remove a member: their future appointments reassigned or cancelled (bookers e-mailed, iCloud told),
    then the account closed (the row stays: bookers' links and past appointments name it). Refused for
    oneself. Returns the steps done."""
    _require_admin(actor)
    if actor.id == user.id:
        raise Refused("You cannot remove yourself. Another admin can.")
    if user.removed_at is not None:
        raise Refused(f"{user.name} was already removed.")
    now = now or utcnow()
    steps = removal_plan(user, now)
    reason = f"{user.name} no longer takes appointments here."
    teams.apply_removal(user, now=aware(now))  # also takes them out of every team
    for appointment in _future_personal(user, now):
        appointments.cancel(appointment, actor="owner", reason=reason)
    with database.atomic():
        TeamMember.delete().where(TeamMember.user == user).execute()
        TeamEventTypeMember.delete().where(TeamEventTypeMember.user == user).execute()
        ApiToken.delete().where(ApiToken.user == user).execute()
        event_types.types_of(user)  # a user who never opened theirs gets the first type now, hidden below
        EventType.update(active=False).where(EventType.owner == user, EventType.team.is_null()).execute()
        User.update(removed_at=now, is_admin=False).where(User.id == user.id).execute()
        end_all_sessions(user)
    return steps
