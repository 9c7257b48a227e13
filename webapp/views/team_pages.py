"""The public team pages /team/<team-slug> and /team/<team-slug>/<type-slug> (no sign-in).

The same pages as a person's (views/booking.py), with the team as their host: the front page always
lists the team's active event types with whom each meets; slots come from teams.slots, bookings go
through teams.book, and the confirmation names the members the booker meets. The team's time zone is the
page's first zone and the zone of a start given without an offset.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort

from .. import teams
from ..bookers import Booker
from ..models import Appointment, EventType, Team, User
from ..sync import health
from .booking import Host, add_public_routes

bp = Blueprint("team_pages", __name__, url_prefix="/team")


def names(users: list[User], last: str = "and") -> str:
    """'Ada', 'Ada and Bob', 'Ada, Bob and Cy' (or 'or')."""
    words = [user.name for user in users]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


@dataclass(frozen=True)
class TeamHost(Host):
    team: Team | None = None

    @classmethod
    def of(cls, slug: str) -> TeamHost:
        team = teams.team_by_slug(slug)
        if team is None:
            abort(404, "There is no team page at this address. Check the link you were given.")
        return cls("team_pages", team.slug, team.name, team.timezone, jump_to_single=False, team=team)

    def types(self) -> list[EventType]:
        return teams.public_types(self.team)

    def find(self, type_slug: str) -> EventType | None:
        return teams.find_type(self.team, type_slug) if type_slug else None

    def slots(self, kind: EventType, start: datetime, end: datetime) -> list[datetime]:
        return teams.slots(kind, start, end)

    def book(self, kind: EventType, start: datetime, name: str, email: str, booker: Booker) -> Appointment:
        return teams.book(kind, start, name, email, booker=booker, public=True)[0]

    def booked(self, ref: str) -> Appointment | None:
        return Appointment.get_or_none((Appointment.uuid == ref) & (Appointment.team == self.team))

    def with_whom(self, kind: EventType) -> str:
        members = teams.chosen_members(kind)
        if not members:
            return ""
        if kind.kind == EventType.ROUND_ROBIN and len(members) > 1:
            return f"With one of {names(members, 'or')}."
        return f"With {names(members)}."

    def closed(self, kind: EventType) -> bool:
        return any(health.is_closed(member) for member in teams.chosen_members(kind))

    def met(self, appointment: Appointment) -> str:
        return f"You meet {names([copy.owner for copy in teams.group_of(appointment)])}."


add_public_routes(bp, TeamHost.of)
