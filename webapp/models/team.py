"""Teams: members invited into the instance, teams of them, and who a team event type may be assigned to.

A team event type is an `EventType` with `team` set (its `owner` is the admin who made it); its bookings are
`Appointment` rows of the assigned members, tied by `booking_group` and marked with `team`; who may be
assigned is `TeamEventTypeMember` (in models.booking, next to EventType).
"""
from __future__ import annotations

from peewee import CharField, DateTimeField, ForeignKeyField

from ..times import utcnow
from .base import BaseModel
from .people import User


class Team(BaseModel):
    name = CharField(max_length=200)
    slug = CharField(max_length=64, unique=True)
    timezone = CharField(default="UTC")  # for date-only windows of the team's pages and API
    created_by = ForeignKeyField(User, null=True, backref="teams_created", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)


class TeamMember(BaseModel):
    team = ForeignKeyField(Team, backref="memberships", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="memberships", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("team", "user"), True),)


class Invitation(BaseModel):
    """An e-mail invited into the instance (and, optionally, straight into a team); valid 7 days, used once."""

    email = CharField()
    invited_by = ForeignKeyField(User, null=True, backref="invitations_sent", on_delete="SET NULL")
    team = ForeignKeyField(Team, null=True, backref="invitations", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    accepted_at = DateTimeField(null=True)
    user = ForeignKeyField(User, null=True, backref="invitation", on_delete="SET NULL")  # who it became
    # The link signs (id, nonce) with SECRET_KEY: the token itself is stored nowhere. A new nonce on every
    # (re)send retires the links of earlier e-mails.
    nonce = CharField(default="", max_length=64)
    revoked_at = DateTimeField(null=True)

    @property
    def pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
