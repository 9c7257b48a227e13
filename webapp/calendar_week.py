"""What the calendar shows: the items of a range (appointments and Blocked Slots) and a week laid out in a zone.

Shared by the calendar page and the API; no Flask here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from peewee import JOIN

from .busy import rules_of
from .calendars.rules import blocking
from .date_overrides import day_hours, non_working
from .models import Appointment, BlockedSlot, Contact, RemoteCalendar, User
from .times import aware, naive_utc, parse_day, zone_of


@dataclass
class Item:
    """One thing in the calendar, for the week view and the API alike."""

    id: int
    kind: str  # appointment | blocked_slot
    source: str  # platform | icloud
    title: str
    start: datetime  # naive UTC
    end: datetime
    all_day: bool
    calendar: RemoteCalendar | None = None
    contact: Contact | None = None
    record: Appointment | BlockedSlot | None = None
    travel_minutes: int = 0  # Apple travel time before a Blocked Slot's event
    tentative: bool = False  # an invitation not yet accepted
    blocks: bool = True  # under its calendar's rules
    why_not: str | None = None  # words when it does not block

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.id}"


def appointment_item(a: Appointment) -> Item:
    return Item(a.id, "appointment", "platform", a.title, a.start_utc, a.end_utc, False,
                contact=a.contact, record=a)


def blocked_item(b: BlockedSlot) -> Item:
    source = b.source if b.source in (BlockedSlot.ICLOUD, BlockedSlot.SUBSCRIPTION) else "platform"
    cal = b.remote_calendar if b.remote_calendar_id else None
    block = blocking(b.start_utc, b.end_utc, b.all_day, b.travel_minutes, b.tentative, rules_of(cal))
    return Item(b.id, "blocked_slot", source, b.title, b.start_utc, b.end_utc,
                b.all_day, calendar=cal, record=b, travel_minutes=b.travel_minutes, tentative=b.tentative,
                blocks=block.start is not None, why_not=block.why_not)


def calendar_items(user: User, start: datetime, end: datetime) -> list[Item]:
    """Booked appointments and every Blocked Slot touching [start, end), sorted by start."""
    s, e = naive_utc(start), naive_utc(end)
    appts = (Appointment.live().where(Appointment.owner == user, Appointment.start_utc < e,
                                      Appointment.end_utc > s))
    appts = list(appts)
    ids = {a.contact_id for a in appts if a.contact_id}
    contacts = {c.id: c for c in Contact.select().where(Contact.id.in_(ids))} if ids else {}
    items = []
    for a in appts:
        item = appointment_item(a)
        item.contact = contacts.get(a.contact_id)
        items.append(item)
    blocks = (BlockedSlot.select(BlockedSlot, RemoteCalendar)
              .join(RemoteCalendar, join_type=JOIN.LEFT_OUTER, on=(BlockedSlot.remote_calendar == RemoteCalendar.id))
              .where(BlockedSlot.owner == user, BlockedSlot.start_utc < e, BlockedSlot.end_utc > s))
    items.extend(blocked_item(b) for b in blocks)
    items.sort(key=lambda i: (i.start, i.end, i.kind, i.id))
    return items


# --- the week ----------------------------------------------------------------------------------

@dataclass
class Placed:
    """An item's piece inside one day column: position in hours from the top of the grid."""

    item: Item
    start: datetime  # local
    end: datetime
    top: float = 0.0
    height: float = 0.0
    lane: int = 0
    lanes: int = 1
    travel_top: float | None = None  # the travel-time band drawn before the event, in hours from the top
    travel_height: float = 0.0


@dataclass
class Day:
    date: date
    is_today: bool
    all_day: list[Item] = field(default_factory=list)
    timed: list[Placed] = field(default_factory=list)
    off: list[tuple[int, int]] = field(default_factory=list)  # non-working time: (top, height) in quarter hours


def week_start(raw: str | None, tz: ZoneInfo) -> date:
    """The Monday of the week of day `raw` (YYYY-MM-DD), or of today."""
    day = parse_day(raw) or datetime.now(tz).date()
    return day - timedelta(days=day.weekday())


def _lay_out(placed: list[Placed]) -> None:
    """Side-by-side lanes for overlapping items, per cluster of overlaps."""
    placed.sort(key=lambda p: (p.start, -(p.end - p.start).total_seconds()))
    cluster: list[Placed] = []
    lane_ends: list[datetime] = []
    cluster_end: datetime | None = None

    def close() -> None:
        for p in cluster:
            p.lanes = len(lane_ends)

    for p in placed:
        if cluster_end is not None and p.start >= cluster_end:
            close()
            cluster, lane_ends, cluster_end = [], [], None
        for lane, end in enumerate(lane_ends):
            if end <= p.start:
                p.lane, lane_ends[lane] = lane, p.end
                break
        else:
            p.lane = len(lane_ends)
            lane_ends.append(p.end)
        cluster.append(p)
        cluster_end = p.end if cluster_end is None else max(cluster_end, p.end)
    close()


def build_week(user: User, monday: date) -> dict:
    """The week from `monday` in the user's zone: items by day, timed ones placed in lanes."""
    tz = zone_of(user)
    start = datetime.combine(monday, time(0), tzinfo=tz)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=tz)
    today = datetime.now(tz).date()
    days = [Day(monday + timedelta(days=i), monday + timedelta(days=i) == today) for i in range(7)]
    items = calendar_items(user, start, end)
    first_hour, last_hour = 0, 24  # the whole day, scrolled to working hours when it opens
    for item in items:
        s, e = aware(item.start, tz), aware(item.end, tz)
        for d in days:
            d0 = datetime.combine(d.date, time(0), tzinfo=tz)
            d1 = datetime.combine(d.date + timedelta(days=1), time(0), tzinfo=tz)
            if not (s < d1 and e > d0):
                continue
            if item.all_day:
                d.all_day.append(item)
                continue
            piece = Placed(item, max(s, d0), min(e, d1))
            d.timed.append(piece)
    hours = day_hours(user, days[0].date, days[-1].date)
    starts = [a for d in days for a, _ in hours[d.date]]
    for d in days:
        d.off = non_working(hours[d.date], first_hour, last_hour)
        for p in d.timed:
            # top by wall clock (the hour labels are wall-clock), height by real duration
            p.top = p.start.hour + p.start.minute / 60 - first_hour
            p.height = max((p.end - p.start).total_seconds() / 3600, 0.4)
            travel = p.item.travel_minutes / 60
            if travel and not p.item.all_day and p.start == aware(p.item.start, tz):
                p.travel_top = max(p.top - travel, 0.0)  # drawn within the event's first day
                p.travel_height = p.top - p.travel_top
        _lay_out(d.timed)
    return {
        "days": days, "monday": monday, "hours": list(range(first_hour, last_hour)), "tz": tz,
        "timezone": tz.key, "prev": monday - timedelta(days=7), "next": monday + timedelta(days=7),
        "today": today, "has_all_day": any(d.all_day for d in days), "count": len(items),
        "opens_at": min(starts) // 60 if starts else 8,
    }
