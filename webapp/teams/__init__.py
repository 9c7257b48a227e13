"""Team scheduling: teams of members, round-robin and collective event types, their bookings, and what
happens to a removed member's appointments. The names here are the package's public API."""
from __future__ import annotations

from .assign import Standing, merge_slots, pick
from ..appointments import cancel, group_of, reschedule
from .booking import book, group_slots, member_slots, slots, standings, zone_of_team
from .removal import RemovalStep, apply_removal, removal_plan
from .core import (Invalid, add_member, all_teams, chosen, chosen_members, create_team, create_type, find_type, is_member,
                   members_of, public_types, remove_from_team, set_priority, team_by_slug, teams_of, types_of,
                   update_type)

__all__ = [
    "Invalid", "RemovalStep", "Standing", "apply_removal", "removal_plan", "add_member", "all_teams", "book", "cancel",
    "chosen", "chosen_members", "create_team", "create_type", "find_type", "group_of", "group_slots", "is_member",
    "member_slots", "members_of", "merge_slots", "pick", "public_types", "remove_from_team", "reschedule",
    "set_priority", "slots", "standings", "team_by_slug", "teams_of", "types_of", "update_type", "zone_of_team",
]
