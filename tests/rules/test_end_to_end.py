"""Each rule on and off, end to end on both CalDAV servers (plain Radicale and the iCloud-shaped front):
Apple-shaped events PUT on the server, synced, and the rules toggled through the API take effect at
once; the next sync fetches nothing again (one request per unchanged calendar)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.sync.conftest import ICLOUD_USER, rig  # noqa: F401 (the fixture, used by name)
from webapp import busy
from webapp.auth import issue_api_token
from webapp.models import BlockedSlot, User

FIXTURES = Path(__file__).parent / "fixtures"
BERLIN = ZoneInfo("Europe/Berlin")


def _day() -> date:
    return datetime.now(BERLIN).date() + timedelta(days=10)


def apple(name: str, day: date) -> str:
    """A fixture moved to `day` (its events are on 2026-12-10 and -11; the all-day one ends, exclusive, on -12)."""
    text = (FIXTURES / name).read_text()
    for n, stamp in enumerate(("20261210", "20261211", "20261212")):
        text = text.replace(stamp, f"<DAY+{n}>")
    for n in range(3):
        text = text.replace(f"<DAY+{n}>", f"{day + timedelta(days=n):%Y%m%d}")
    return text


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """Naive UTC of a wall-clock time in Berlin."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN).astimezone(ZoneInfo("UTC")).replace(
        tzinfo=None)


@pytest.fixture
def synced(rig):  # noqa: F811
    day = _day()
    assert ICLOUD_USER.lower() in apple("apple_invitation.ics", day).replace("\n ", "").lower()
    rig.put("work", "travel.ics", apple("apple_travel.ics", day))
    rig.put("work", "allday.ics", apple("apple_all_day.ics", day))
    rig.put("work", "invite.ics", apple("apple_invitation.ics", day))
    run = rig.sync()
    assert run.error is None and run.skipped == 0
    with rig.app.app_context():
        token = issue_api_token(User.get_by_id(rig.owner.id))
    return rig, day, token


def busy_of(rig, day: date) -> list[tuple[datetime, datetime]]:
    with rig.app.app_context():
        owner = User.get_by_id(rig.owner.id)
        return sorted(busy.busy_intervals(owner, local(day, 0), local(day + timedelta(days=2), 0)))


def patch(rig, token: str, **rules) -> None:
    cal = rig.calendar(rig.work_url)
    response = rig.app.test_client().patch(f"/api/v1/calendars/{cal.id}", json=rules,
                                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_json()


def test_the_sync_stores_travel_time_all_day_and_unanswered_invitations(synced):
    rig, day, _ = synced
    with rig.app.app_context():
        rows = {s.title: s for s in BlockedSlot.select()}
    assert (rows["Dentist"].start_utc, rows["Dentist"].travel_minutes) == (local(day, 10), 30)
    assert rows["Team offsite"].all_day and not rows["Team offsite"].tentative
    assert rows["Quarterly review"].tentative and rows["Quarterly review"].travel_minutes == 0


@pytest.mark.parametrize("rule, event, on_busy, off_busy", [
    ("travel_time_blocks", "Dentist", ("travel", 9, 30), ("own", 10, 0)),
    ("all_day_events_block", "Team offsite", ("all_day",), None),
    ("tentative_blocks", "Quarterly review", ("own",), None),
])
def test_each_rule_on_and_off_changes_busy_time_at_once_and_the_next_sync_fetches_nothing(
        synced, caldav_server, rule, event, on_busy, off_busy):
    rig, day, token = synced
    with rig.app.app_context():
        slot = BlockedSlot.get(BlockedSlot.title == event)
    own = (slot.start_utc, slot.end_utc)
    travel = (slot.start_utc - timedelta(minutes=slot.travel_minutes), slot.end_utc)
    assert (travel if on_busy[0] == "travel" else own) in busy_of(rig, day)

    patch(rig, token, **{rule: False})
    after = busy_of(rig, day)
    if off_busy is None:
        assert own not in after and travel not in after
    else:
        assert own in after and travel not in after

    caldav_server.reset_counts()
    run = rig.sync()
    assert run.error is None and run.pulled == run.updated == 0
    assert caldav_server.request_count == 2 == run.requests  # one sync-collection per calendar, no multiget
    assert busy_of(rig, day) == after

    patch(rig, token, **{rule: True})
    assert (travel if on_busy[0] == "travel" else own) in busy_of(rig, day)


def test_the_booking_engine_and_the_owner_booking_follow_the_rules(synced):
    """An owner's booking over the travel time is refused (409) while the rule is on, and taken when off."""
    rig, day, token = synced
    client = rig.app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    start = datetime(day.year, day.month, day.day, 9, 30, tzinfo=BERLIN)
    body = {"start": start.isoformat(), "end": (start + timedelta(minutes=20)).isoformat(), "title": "Call"}
    assert client.post("/api/v1/appointments", json=body, headers=headers).status_code == 409
    patch(rig, token, travel_time_blocks=False)
    assert client.post("/api/v1/appointments", json=body, headers=headers).status_code == 201
