"""Event types: the kinds of appointment a user offers, with their rules and limits.

One set of rules for the settings page and the API alike (`clean`); the availability engine gets them as
`Rules` (`rules_for`), with the user's working hours, date overrides and time off, and the starts of the
type's live bookings for its daily and weekly limits (`booked_starts`).

Decisions: every user has at least one event type (the first is made from the user's pre-event-type
settings, by the schema migration or on first use); the default type is the first active one in the
list (the first of all when every one is hidden); a hidden type (`active` false) is neither listed nor
bookable on the public page, while the owner may still book it; the last event type cannot be deleted.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from peewee import IntegrityError

from .calendars.availability import Rules, parse_working_hours
from .cleaning import clean_rrggbb
from .date_overrides import overrides_for
from .models import database
from .ids import parse_id
from .models import Appointment, EventType, Team, User
from .times import aware, naive_utc, zone_of
# words the public booking pages use after /book/<user-slug>/
RESERVED_SLUGS = frozenset({"month", "slots", "form", "booked"})
STEPS = (15, 30, 60)
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")

# field → (label, lowest, highest, unit)
NUMBERS: dict[str, tuple[str, int, int, str]] = {
    "duration_minutes": ("Duration", 5, 480, "minutes"),
    "buffer_before_minutes": ("Buffer before", 0, 240, "minutes"),
    "buffer_after_minutes": ("Buffer after", 0, 240, "minutes"),
    "minimum_notice_minutes": ("Minimum notice", 0, 60 * 24 * 30, "minutes"),
    "horizon_days": ("Booking horizon", 1, 365, "days"),
}
LIMITS: dict[str, tuple[str, int, int, str]] = {
    "daily_limit": ("Daily limit", 1, 100, "bookings a day"),
    "weekly_limit": ("Weekly limit", 1, 500, "bookings a week"),
}
TEXTS: dict[str, tuple[str, int]] = {"title": ("Title", 200), "description": ("Description", 5000),
                                     "location": ("Location", 500)}
FIELDS = ("title", "slug", *NUMBERS, "description", "location", "color", "step_minutes", *LIMITS, "active")


class Invalid(ValueError):
    """Event type input that cannot be saved: `errors` maps each field to words a person can act on."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:64].strip("-")
    return slug or "meeting"


def clean(data: Mapping[str, Any], owner: User, current: EventType | None = None,
          team: Team | None = None) -> dict[str, Any]:
    """Validated values from `data` (JSON-typed); a new type needs a title and a duration.

    Only the fields present are checked and returned (PATCH); an unknown field is an error. A team
    type's (`team`) slug is unique among the team's types, a personal one among the owner's.
    """
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for key in data:
        if key not in FIELDS:
            errors[key] = f"{key!r} is not a field of an event type."
    for key, (label, longest) in TEXTS.items():
        if key in data:
            value = data[key]
            if not isinstance(value, str) and not (value is None and key != "title"):
                errors[key] = f"{label} is text."
            elif key == "title" and not value.strip():
                errors[key] = "Enter a title, for example 30-minute call."
            elif len(value or "") > longest:
                errors[key] = f"{label} is at most {longest} characters."
            else:
                out[key] = (value or "").strip()
    if "location" in out and "://" in out["location"] and not out["location"].startswith(("https://", "http://")):
        errors["location"] = "A meeting link starts with https://."
    for key, (label, low, high, unit) in {**NUMBERS, **LIMITS}.items():
        if key not in data:
            continue
        value = data[key]
        if key in LIMITS and value is None:
            out[key] = None
        elif isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            none = " (or empty for no limit)" if key in LIMITS else ""
            errors[key] = f"{label} is a whole number of {unit} from {low} to {high}{none}."
        else:
            out[key] = value
    if "slug" in data:
        slug = data["slug"]
        if not isinstance(slug, str) or not _SLUG.match(slug):
            errors["slug"] = "The link name uses lower-case letters, digits and dashes, for example intro-call."
        elif slug in RESERVED_SLUGS:
            errors["slug"] = f"{slug!r} is used by the booking page itself: choose another link name."
        else:
            out["slug"] = slug
    if "color" in data:
        color = data["color"]
        if color in (None, ""):
            out["color"] = None
        elif not isinstance(color, str) or clean_rrggbb(color) is None:
            errors["color"] = "A colour is written #rrggbb, for example #2563eb."
        else:
            out["color"] = clean_rrggbb(color)
    if "active" in data:
        if not isinstance(data["active"], bool):
            errors["active"] = "active is true or false."
        else:
            out["active"] = data["active"]
    if current is None:
        if "title" not in data:
            errors.setdefault("title", "Enter a title, for example 30-minute call.")
        if "duration_minutes" not in data:
            errors.setdefault("duration_minutes", "Enter the duration in minutes.")
        if "slug" not in data and "title" in out:
            out["slug"] = _free_slug(_scope(owner, team), slugify(out["title"]))
    duration = out.get("duration_minutes", current.duration_minutes if current else None)
    if "step_minutes" in data:
        step = data["step_minutes"]
        if step is not None and (isinstance(step, bool) or not isinstance(step, int)
                                 or (step not in STEPS and step != duration)):
            errors["step_minutes"] = "Start times come every 15, 30 or 60 minutes, or every duration (empty)."
        else:
            out["step_minutes"] = step
    if "slug" in out and "slug" not in errors:
        taken = _scope(owner, team).where(EventType.slug == out["slug"])
        if current is not None:
            taken = taken.where(EventType.id != current.id)
        if taken.exists():
            whose = f"{team.name} already has" if team is not None else "You already have"
            errors["slug"] = f"{whose} an event type at /{out['slug']}: choose another link name."
    if errors:
        raise Invalid(errors)
    return out


def _scope(owner: User, team: Team | None):
    """The event types a slug must differ from: the team's, or the owner's personal ones."""
    return EventType.of_team(team) if team is not None else EventType.of(owner)


def _free_slug(scope, base: str) -> str:
    slug, n = base if base not in RESERVED_SLUGS else f"{base}-1", 1
    while scope.where(EventType.slug == slug).exists():
        n += 1
        slug = f"{base[:60]}-{n}"
    return slug


def first_type(user: User) -> EventType:
    """The user's first event type, from the booking rules a user had before event types."""
    return EventType.create(
        owner=user, title="Appointment", slug="appointment", duration_minutes=user.slot_minutes,
        buffer_before_minutes=user.buffer_before_minutes, buffer_after_minutes=user.buffer_after_minutes,
        minimum_notice_minutes=user.min_notice_minutes, horizon_days=user.horizon_days)


def types_of(user: User) -> list[EventType]:
    """All the user's event types in their order; a user without one gets the first."""
    kinds = list(EventType.of(user))
    if not kinds:
        try:
            with database.atomic():
                first_type(user)
        except IntegrityError:  # made at the same moment by another request
            pass
        kinds = list(EventType.of(user))
    return kinds


def default_type(user: User) -> EventType:
    kinds = types_of(user)
    return next((k for k in kinds if k.active), kinds[0])


def public_types(user: User) -> list[EventType]:
    return [k for k in types_of(user) if k.active]


def find(user: User, key: Any) -> EventType | None:
    """The user's event type with this id (number or digits) or slug."""
    return find_in(EventType.of(user), key)


def find_in(query, key: Any) -> EventType | None:
    """The event type of `query` with this id (number or digits) or slug."""
    if isinstance(key, bool) or not isinstance(key, (int, str)):
        return None
    number = parse_id(key)
    if number is not None:
        return query.where(EventType.id == number).first()
    if isinstance(key, int) or key.strip().isdigit():  # a number out of range, or digits such as "²"
        return None
    return query.where(EventType.slug == key.strip()).first()


def create(user: User, data: Mapping[str, Any]) -> EventType:
    types_of(user)  # the first type (from the user's earlier settings) comes first
    values = clean(data, user)
    last = EventType.of(user).order_by(EventType.position.desc()).first()
    return EventType.create(owner=user, position=(last.position + 1) if last else 0, **values)


def update(kind: EventType, data: Mapping[str, Any]) -> EventType:
    for key, value in clean(data, kind.owner, kind).items():
        setattr(kind, key, value)
    kind.save()
    return kind


def delete(kind: EventType) -> None:
    """Delete an event type; its appointments stay (they no longer name a type)."""
    if kind.team_id is None and EventType.of(kind.owner_id).count() <= 1:
        raise Invalid({"id": "This is your only event type: change it instead, or add another first."})
    kind.delete_instance()


def step_of(kind: EventType) -> int:
    return kind.step_minutes or kind.duration_minutes


def values_of(kind: EventType) -> dict[str, Any]:
    """The type's value of each field in FIELDS (the API's shape is in views/api/serialisers.py)."""
    return {key: getattr(kind, key) for key in FIELDS}


def rules_for(user: User, kind: EventType, start: datetime, end: datetime) -> Rules:
    """The engine's rules for booking `kind` between `start` and `end` (aware or naive UTC)."""
    tz = zone_of(user)
    first, last = (_local_date(start, tz) - timedelta(days=2), _local_date(end, tz) + timedelta(days=2))
    return Rules(
        working_hours=parse_working_hours(user.working_hours),
        slot_minutes=kind.duration_minutes,
        buffer_before_minutes=kind.buffer_before_minutes,
        buffer_after_minutes=kind.buffer_after_minutes,
        min_notice_minutes=kind.minimum_notice_minutes,
        horizon_days=kind.horizon_days,
        step_minutes=step_of(kind),
        daily_limit=kind.daily_limit,
        weekly_limit=kind.weekly_limit,
        overrides=overrides_for(user, first, last),
    )


def _local_date(value: datetime, tz: ZoneInfo) -> date:
    return aware(naive_utc(value), tz).date()


def booked_starts(kind: EventType, start: datetime, end: datetime) -> list[datetime]:
    """Naive-UTC starts of the type's live bookings in the weeks around [start, end), for its limits.

    A team booking counts once, however many members' copies it has (one start per booking group).
    """
    if kind.daily_limit is None and kind.weekly_limit is None:
        return []
    s = naive_utc(start) - timedelta(days=8)
    e = naive_utc(end) + timedelta(days=8)
    rows = Appointment.live().select(Appointment.id, Appointment.start_utc, Appointment.booking_group).where(
        Appointment.event_type == kind, Appointment.start_utc >= s, Appointment.start_utc < e)
    return list({group or row_id: start_utc for row_id, start_utc, group in rows.tuples()}.values())


def limit_reached(kind: EventType, start: datetime, tz: ZoneInfo) -> str | None:
    """Words saying which limit a booking of `kind` at `start` would break, or None."""
    day = start.astimezone(tz).date()
    monday = day - timedelta(days=day.weekday())
    starts = [aware(s, tz).date() for s in booked_starts(kind, start, start)]
    if kind.daily_limit is not None and sum(d == day for d in starts) >= kind.daily_limit:
        return f"{kind.title} takes at most {kind.daily_limit} a day, and that day is full. Please choose another day."
    if kind.weekly_limit is not None and sum(
            monday <= d < monday + timedelta(days=7) for d in starts) >= kind.weekly_limit:
        return (f"{kind.title} takes at most {kind.weekly_limit} a week, and that week is full. "
                "Please choose another week.")
    return None
