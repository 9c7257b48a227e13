"""Team scheduling: teams of members, round-robin and collective event types, their bookings, and what
happens to a removed member's appointments. The names here are the package's public API."""
from __future__ import annotations

from .assign import Standing, merge_slots, pick
from .booking import (book, cancel_group, check_calendars_before_booking, group_of, group_slots, member_slots,
                      reschedule_group, slots, standings, zone_of_team)
from .core import (Invalid, add_member, all_teams, chosen_members, create_team, create_type, find_type, is_member,
                   members_of, public_types, remove_from_team, set_priority, team_by_slug, teams_of, types_of,
                   update_type)

__all__ = [
    "Invalid", "Standing", "add_member", "all_teams", "book", "cancel_group", "check_calendars_before_booking",
    "chosen_members", "create_team", "create_type", "find_type", "group_of", "group_slots", "is_member",
    "member_slots", "members_of", "merge_slots", "pick", "public_types", "remove_from_team", "reschedule_group",
    "set_priority", "slots", "standings", "team_by_slug", "teams_of", "types_of", "update_type", "zone_of_team",
]
