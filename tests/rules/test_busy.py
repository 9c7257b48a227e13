"""busy_intervals, the one busy-time function, applies each calendar's rules at once (nothing fetched)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from webapp import appointments, busy
from webapp.models import BlockedSlot

DAY = datetime(2030, 3, 4)  # a Monday


def intervals(mirror, start=DAY, end=DAY + timedelta(days=1)) -> list[tuple[datetime, datetime]]:
    with mirror.app.app_context():
        return sorted(busy.busy_intervals(mirror.owner, start, end))


def test_busy_intervals_stays_importable_from_appointments():
    assert appointments.busy_intervals is busy.busy_intervals


@pytest.mark.parametrize("on", [True, False])
def test_travel_time_widens_the_busy_time_before_the_event_when_on(mirror, on):
    mirror.slot(DAY.replace(hour=10), DAY.replace(hour=11), travel_minutes=30)
    mirror.set(travel_time_blocks=on)
    assert intervals(mirror) == [(DAY.replace(hour=9, minute=30) if on else DAY.replace(hour=10), DAY.replace(hour=11))]


def test_travel_time_reaching_into_the_window_counts_though_the_event_starts_after_it(mirror):
    mirror.slot(DAY + timedelta(days=1, hours=1), DAY + timedelta(days=1, hours=2), travel_minutes=120)
    assert intervals(mirror) == [(DAY + timedelta(hours=23), DAY + timedelta(days=1, hours=2))]
    mirror.set(travel_time_blocks=False)
    assert intervals(mirror) == []


@pytest.mark.parametrize("on", [True, False])
def test_all_day_events_block_the_whole_day_or_nothing(mirror, on):
    mirror.slot(DAY - timedelta(hours=1), DAY + timedelta(hours=23), all_day=True)
    mirror.set(all_day_events_block=on)
    assert intervals(mirror) == ([(DAY - timedelta(hours=1), DAY + timedelta(hours=23))] if on else [])


@pytest.mark.parametrize("on", [True, False])
def test_unanswered_invitations_block_or_not(mirror, on):
    mirror.slot(DAY.replace(hour=14), DAY.replace(hour=15), tentative=True)
    mirror.slot(DAY.replace(hour=16), DAY.replace(hour=17))
    mirror.set(tentative_blocks=on)
    expected = [(DAY.replace(hour=14), DAY.replace(hour=15))] if on else []
    assert intervals(mirror) == expected + [(DAY.replace(hour=16), DAY.replace(hour=17))]


def test_manual_blocked_slots_always_block(mirror):
    with mirror.app.app_context():
        BlockedSlot.create(owner=mirror.owner, source=BlockedSlot.MANUAL, start_utc=DAY.replace(hour=8),
                           end_utc=DAY.replace(hour=9), all_day=True)
    mirror.set(all_day_events_block=False, travel_time_blocks=False, tentative_blocks=False)
    assert intervals(mirror) == [(DAY.replace(hour=8), DAY.replace(hour=9))]


def test_the_rules_of_one_calendar_leave_another_calendars_slots_alone(mirror, app):
    from webapp.models import RemoteCalendar

    with app.app_context():
        other = RemoteCalendar.create(account=RemoteCalendar.get_by_id(mirror.calendar_id).account,
                                      url="https://caldav.example/work/", name="Work", role="conflict")
        BlockedSlot.create(owner=mirror.owner, source=BlockedSlot.ICLOUD, remote_calendar=other,
                           start_utc=DAY.replace(hour=12), end_utc=DAY.replace(hour=13), all_day=True)
    mirror.slot(DAY.replace(hour=12), DAY.replace(hour=13), all_day=True)
    mirror.set(all_day_events_block=False)
    assert intervals(mirror) == [(DAY.replace(hour=12), DAY.replace(hour=13))]


def test_free_slots_follow_the_travel_rule(mirror):
    """The booking engine sees it: a 09:30 start is taken by 30 minutes of travel before a 10:00 event."""
    from webapp.times import UTC

    mirror.slot(datetime(2030, 3, 4, 9), datetime(2030, 3, 4, 10), travel_minutes=30)  # 10:00–11:00 Berlin
    now = datetime(2030, 3, 1, tzinfo=UTC)
    window = (datetime(2030, 3, 4, 7, tzinfo=UTC), datetime(2030, 3, 4, 10, tzinfo=UTC))
    with mirror.app.app_context():
        on = appointments.slots_for(mirror.owner, *window, now)
    mirror.set(travel_time_blocks=False)
    with mirror.app.app_context():
        off = appointments.slots_for(mirror.owner, *window, now)
    half_past_nine_berlin = datetime(2030, 3, 4, 8, 30, tzinfo=UTC)
    assert half_past_nine_berlin in off and half_past_nine_berlin not in on
