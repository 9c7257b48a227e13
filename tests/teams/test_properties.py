"""Property tests of team scheduling over the real engine and database: every offered slot keeps every
rule of the members it needs, and round-robin assignment follows the fairness rule over any sequence."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp import appointments, teams
from webapp.models import Appointment, BlockedSlot, Contact, TeamEventTypeMember, User
from webapp.times import UTC

from .conftest import BERLIN, at

EXAMPLES = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def trio(ada, bob, team, make_user):
    cleo = make_user(email="cleo@example.com", name="Cleo", timezone="Europe/Berlin")
    teams.add_member(team, cleo)
    return [ada, bob, User.get_by_id(cleo.id)]


def _reset() -> None:
    for model in (Appointment, BlockedSlot, Contact):
        model.delete().execute()


def _hours(user: User, start_hour: int, end_hour: int) -> None:
    user.working_hours = {str(d): [[f"{start_hour:02d}:00", f"{end_hour:02d}:00"]] for d in range(7)}
    user.save()


def _keeps_rules(busy: list, start: datetime, kind, start_hour: int, end_hour: int) -> bool:
    """The slot by the rules, checked from scratch: inside the member's hours, on the grid, clear of
    their busy time (`busy`) with the type's buffers."""
    local = start.astimezone(BERLIN)
    opens = local.replace(hour=start_hour, minute=0)
    end = start + timedelta(minutes=kind.duration_minutes)
    if not (opens <= local and end.astimezone(BERLIN) <= local.replace(hour=end_hour, minute=0)):
        return False
    if (local - opens) % timedelta(minutes=kind.step_minutes or kind.duration_minutes):
        return False
    lo = start - timedelta(minutes=kind.buffer_before_minutes)
    hi = end + timedelta(minutes=kind.buffer_after_minutes)
    return not appointments.overlaps(busy, lo, hi)


busy_times = st.lists(st.tuples(st.integers(0, 2), st.integers(6 * 4, 19 * 4), st.integers(1, 8)), max_size=9)


@EXAMPLES
@given(kind_name=st.sampled_from(["round_robin", "collective"]), busy=busy_times,
       hours=st.lists(st.tuples(st.integers(7, 10), st.integers(13, 18)), min_size=3, max_size=3),
       duration=st.sampled_from([15, 30, 45, 60]), step=st.sampled_from([15, 30, 60]),
       before=st.sampled_from([0, 10]), after=st.sampled_from([0, 15]), pick=st.integers(0, 10**6))
def test_every_offered_slot_keeps_the_rules_of_the_members_it_needs(
        trio, make_type, day, kind_name, busy, hours, duration, step, before, after, pick):
    _reset()
    for user, (a, b) in zip(trio, hours):
        _hours(user, a, b)
    for who, quarter, length in busy:
        start = at(day, 0) + timedelta(minutes=15 * quarter)
        appointments.create_blocked_slot(trio[who], start, start + timedelta(minutes=15 * length), "Busy")
    kind = make_type(kind_name, emails=[u.email for u in trio], title=f"t{pick}", duration_minutes=duration,
                     step_minutes=step if step != duration else None, buffer_before_minutes=before,
                     buffer_after_minutes=after)
    offered = teams.slots(kind, at(day, 0), at(day, 23, 59))
    busy_of = [appointments.busy_intervals(u, at(day, 0) - timedelta(days=1), at(day, 0) + timedelta(days=2))
               for u in trio]
    keeps = {s: [_keeps_rules(b, s, kind, *h) for b, h in zip(busy_of, hours)] for s in offered}
    for s, ok in keeps.items():
        assert all(ok) if kind_name == "collective" else any(ok), (s, ok)
    # every time that keeps the rules for everyone (collective) or someone (round-robin) is offered
    for quarter in range(4 * 24):
        s = at(day, 0) + timedelta(minutes=15 * quarter)
        ok = [_keeps_rules(b, s, kind, *h) for b, h in zip(busy_of, hours)]
        if (all(ok) if kind_name == "collective" else any(ok)):
            assert s.astimezone(UTC) in offered, (s, ok)
    if offered:
        s = offered[pick % len(offered)]
        made = teams.book(kind, s, "Dana", "dana@example.com", public=False)
        for a in made:  # whoever it was assigned to was free then by every rule
            assert keeps[s][[u.id for u in trio].index(a.owner_id)]
        assert len(made) == (3 if kind_name == "collective" else 1)


@EXAMPLES
@given(steps=st.lists(st.tuples(st.integers(0, 1), st.lists(st.booleans(), min_size=3, max_size=3)),
                      min_size=1, max_size=10),
       priorities=st.lists(st.integers(0, 2), min_size=6, max_size=6),
       old=st.lists(st.tuples(st.integers(0, 2), st.integers(1, 60)), max_size=4))
def test_round_robin_assignment_follows_the_fairness_rule(trio, make_type, day, steps, priorities, old):
    """Fewest live team bookings made in the last 30 days (any type), then the longest since the latest
    of them (never = longest), then the higher priority, then the admin's order."""
    _reset()
    kinds = [teams.find_type(trio[0].memberships.get().team, slug) for slug in ("fair-a", "fair-b")]
    if kinds[0] is None:
        kinds = [make_type("round_robin", emails=[u.email for u in trio], title=t, slug=t) for t in ("fair-a", "fair-b")]
    for k, kind in enumerate(kinds):
        for n, user in enumerate(trio):
            teams.set_priority(kind, user, priorities[3 * k + n])
    now = datetime.now(UTC)
    made: dict[int, list[datetime]] = {u.id: [] for u in trio}
    for n, (who, days_ago) in enumerate(old):  # earlier bookings, some older than the 30 days that count
        created = now - timedelta(days=days_ago)
        start = at(day - timedelta(days=1), 6) + timedelta(minutes=30 * n)
        Appointment.create(owner=trio[who], event_type=kinds[0], team=kinds[0].team_id, booking_group=f"old{n}",
                           start_utc=start.astimezone(UTC).replace(tzinfo=None),
                           end_utc=(start + timedelta(minutes=30)).astimezone(UTC).replace(tzinfo=None),
                           created_at=created.replace(tzinfo=None))
        if days_ago < 30:
            made[trio[who].id].append(created.replace(tzinfo=None))
    for n, (k, free) in enumerate(steps):
        start = at(day + timedelta(days=n // 6), 9 + n % 6)
        for user, is_free in zip(trio, free):
            if not is_free:
                appointments.create_blocked_slot(user, start, start + timedelta(minutes=30), "Busy")
        rows = {r.user_id: r for r in TeamEventTypeMember.select().where(TeamEventTypeMember.event_type == kinds[k])}
        candidates = [u for u, is_free in zip(trio, free) if is_free]
        if not candidates:
            with pytest.raises(appointments.SlotTaken):
                teams.book(kinds[k], start, "Eve", f"eve{n}@example.com", public=False)
            continue
        expected = min(candidates, key=lambda u: (len(made[u.id]), max(made[u.id], default=datetime.min),
                                                  -rows[u.id].priority, rows[u.id].position))
        [booked] = teams.book(kinds[k], start, "Eve", f"eve{n}@example.com", public=False)
        assert booked.owner_id == expected.id, (n, free, {u.name: made[u.id] for u in trio})
        made[booked.owner_id].append(booked.created_at)
