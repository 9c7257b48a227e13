"""Teams, their members and their event types (round-robin and collective).

Decisions: only admins create teams and team types and add members (the views check it); a team's time
zone defaults to its creator's; a team type's members must belong to the team; removing someone from a
team also takes them off the team's types (their booked appointments stay: see `removal`).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from peewee import IntegrityError

from .. import event_types
from ..cleaning import clean_email
from ..db import database
from ..models import EventType, Team, TeamEventTypeMember, TeamMember, User
from ..times import is_zone

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
KINDS = (EventType.ROUND_ROBIN, EventType.COLLECTIVE)
TEAM_FIELDS = ("kind", "member_emails")


class Invalid(ValueError):
    """Team input that cannot be saved: `errors` maps each field to words a person can act on."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def create_team(admin: User, name: str, slug: str, timezone: str | None = None) -> Team:
    """A new team made by `admin` (who joins it); its zone defaults to the admin's."""
    errors: dict[str, str] = {}
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 200:
        errors["name"] = "Enter the team's name (at most 200 characters), for example Sales."
    if not isinstance(slug, str) or not _SLUG.match(slug.strip()):
        errors["slug"] = "The link name uses lower-case letters, digits and dashes, for example sales."
    elif Team.select().where(Team.slug == slug.strip()).exists():
        errors["slug"] = f"There is already a team at /team/{slug.strip()}: choose another link name."
    if timezone is not None and (not isinstance(timezone, str) or not is_zone(timezone)):
        errors["timezone"] = "Choose a time zone from the list, for example Europe/Berlin."
    if errors:
        raise Invalid(errors)
    try:
        with database.atomic():
            team = Team.create(name=name, slug=slug.strip(), timezone=timezone or admin.timezone or "UTC",
                               created_by=admin)
            TeamMember.create(team=team, user=admin)
    except IntegrityError:  # the same slug at the same moment
        raise Invalid({"slug": f"There is already a team at /team/{slug.strip()}: choose another link name."}) from None
    return team


def add_member(team: Team, user: User) -> tuple[TeamMember, bool]:
    """The user's membership of `team`, and whether it is new."""
    row = TeamMember.get_or_none(TeamMember.team == team, TeamMember.user == user)
    if row is not None:
        return row, False
    try:
        with database.atomic():
            return TeamMember.create(team=team, user=user), True
    except IntegrityError:  # added at the same moment
        return TeamMember.get(TeamMember.team == team, TeamMember.user == user), False


def remove_from_team(team: Team, user: User) -> None:
    """Take the user out of the team and off its event types (appointments stay: see removal_plan)."""
    with database.atomic():
        TeamEventTypeMember.delete().where(
            TeamEventTypeMember.user == user,
            TeamEventTypeMember.event_type.in_(EventType.select(EventType.id).where(EventType.team == team)),
        ).execute()
        TeamMember.delete().where(TeamMember.team == team, TeamMember.user == user).execute()


def members_of(team: Team) -> list[User]:
    """The team's members in the order they joined."""
    return list(User.select().join(TeamMember).where(TeamMember.team == team).order_by(TeamMember.id))


def is_member(team: Team, user: User) -> bool:
    return TeamMember.select().where(TeamMember.team == team, TeamMember.user == user).exists()


def teams_of(user: User) -> list[Team]:
    return list(Team.select().join(TeamMember).where(TeamMember.user == user).order_by(Team.name, Team.id))


def team_by_slug(slug: str) -> Team | None:
    return Team.get_or_none(Team.slug == slug) if isinstance(slug, str) else None


def all_teams() -> list[Team]:
    return list(Team.select().order_by(Team.name, Team.id))


# --- team event types -------------------------------------------------------------------------------


def _team_part(team: Team, data: Mapping[str, Any], creating: bool) -> tuple[str | None, list[User] | None]:
    """The checked `kind` and `member_emails` of a team type's input (None: not given)."""
    errors: dict[str, str] = {}
    kind = data.get("kind")
    if kind is None and creating:
        errors["kind"] = 'Choose how the type is booked: "round_robin" (one free member) or "collective" (all).'
    elif kind is not None and kind not in KINDS:
        errors["kind"] = 'kind is "round_robin" (one free member) or "collective" (every member).'
    users: list[User] | None = None
    if "member_emails" in data or creating:
        emails = data.get("member_emails")
        if not isinstance(emails, list) or not emails or not all(isinstance(e, str) for e in emails):
            errors["member_emails"] = "Give the e-mails of the team members this type books, at least one."
        else:
            users, unknown = [], []
            for raw in emails:
                user = User.by_email(clean_email(raw) or raw)
                if user is None or not is_member(team, user):
                    unknown.append(raw)
                elif user not in users:
                    users.append(user)
            if unknown:
                errors["member_emails"] = f"Not members of {team.name}: {', '.join(unknown)}. Add them to the team first."
    if errors:
        raise event_types.Invalid(errors)
    return kind, users


def _set_members(kind: EventType, users: list[User]) -> None:
    """The type's chosen members in this order (position), keeping the priority of those who stay."""
    old = {row.user_id: row for row in kind.team_members}
    TeamEventTypeMember.delete().where(TeamEventTypeMember.event_type == kind,
                                       TeamEventTypeMember.user.not_in([u.id for u in users])).execute()
    for position, user in enumerate(users):
        row = old.get(user.id)
        if row is None:
            TeamEventTypeMember.create(event_type=kind, user=user, position=position)
        elif row.position != position:
            row.position = position
            row.save()


def create_type(admin: User, team: Team, data: Mapping[str, Any]) -> EventType:
    """A team event type: the event-type fields plus `kind` and `member_emails` (raises event_types.Invalid)."""
    plain = {k: v for k, v in data.items() if k not in TEAM_FIELDS}
    errors: dict[str, str] = {}
    try:
        values = event_types.clean(plain, admin, team=team)
    except event_types.Invalid as exc:
        errors.update(exc.errors)
    try:
        kind_name, users = _team_part(team, data, creating=True)
    except event_types.Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise event_types.Invalid(errors)
    with database.atomic():
        last = EventType.of_team(team).order_by(EventType.position.desc()).first()
        kind = EventType.create(owner=admin, team=team, kind=kind_name, position=(last.position + 1) if last else 0,
                                **values)
        _set_members(kind, users or [])
    return kind


def update_type(kind: EventType, data: Mapping[str, Any]) -> EventType:
    plain = {k: v for k, v in data.items() if k not in TEAM_FIELDS}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    try:
        values = event_types.clean(plain, kind.owner, kind, team=kind.team)
    except event_types.Invalid as exc:
        errors.update(exc.errors)
    try:
        kind_name, users = _team_part(kind.team, data, creating=False)
    except event_types.Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise event_types.Invalid(errors)
    with database.atomic():
        for key, value in values.items():
            setattr(kind, key, value)
        if kind_name is not None:
            kind.kind = kind_name
        kind.save()
        if users is not None:
            _set_members(kind, users)
    return kind


def set_priority(kind: EventType, user: User, priority: int) -> None:
    """A chosen member's round-robin priority (ties go to the higher one)."""
    TeamEventTypeMember.update(priority=priority).where(TeamEventTypeMember.event_type == kind,
                                                        TeamEventTypeMember.user == user).execute()


def types_of(team: Team) -> list[EventType]:
    return list(EventType.of_team(team))


def public_types(team: Team) -> list[EventType]:
    return [k for k in types_of(team) if k.active]


def find_type(team: Team, key: str | int) -> EventType | None:
    """The team's event type with this id (number or digits) or slug."""
    return event_types.find_in(EventType.of_team(team), key)


def chosen(kind: EventType) -> list[tuple[User, TeamEventTypeMember]]:
    """The type's chosen members with their rows, in the admin's order."""
    rows = (TeamEventTypeMember.select(TeamEventTypeMember, User).join(User)
            .where(TeamEventTypeMember.event_type == kind)
            .order_by(TeamEventTypeMember.position, TeamEventTypeMember.id))
    return [(row.user, row) for row in rows]


def chosen_members(kind: EventType) -> list[User]:
    return [user for user, _ in chosen(kind)]
