"""A database at schema version 4 (event types, before teams) is upgraded in place and loses nothing."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from peewee import IntegrityError

from webapp import create_app
from webapp.db import MIGRATIONS
from webapp.models import Appointment, EventType, SchemaVersion, Team, User, database

SCHEMA_V4 = Path(__file__).parent.parent / "event_types" / "fixtures" / "schema_v4.sql"


def make_v4_database(path: Path) -> None:
    con = sqlite3.connect(path)
    con.executescript(SCHEMA_V4.read_text())
    con.execute("INSERT INTO schemaversion (version) VALUES (4)")
    for uid, email in ((1, "ada@example.com"), (2, "bob@example.com")):
        con.execute(
            "INSERT INTO user (id, email, password_hash, session_token, display_name, timezone, booking_slug,"
            " working_hours_json, slot_minutes, buffer_before_minutes, buffer_after_minutes, min_notice_minutes,"
            " horizon_days, notify_bookings, created_at) VALUES (?, ?, 'x', ?, '', 'UTC', ?, '{}', 30, 0, 0,"
            " 240, 60, 1, '2026-01-01 00:00:00')", (uid, email, f"tok{uid}", f"slug{uid}"))
        con.execute(
            "INSERT INTO eventtype (id, owner_id, title, slug, duration_minutes, description, location,"
            " buffer_before_minutes, buffer_after_minutes, minimum_notice_minutes, horizon_days, active, position,"
            " created_at) VALUES (?, ?, 'Appointment', 'appointment', 30, '', '', 0, 0, 240, 60, 1, 0,"
            " '2026-01-01 00:00:00')", (uid, uid))
    con.execute(
        "INSERT INTO appointment (id, uuid, owner_id, event_type_id, title, start_utc, end_utc, status, push_state,"
        " push_attempts, created_at, updated_at) VALUES (1, 'u-1', 1, 1, 'Intro', '2026-06-01 08:00:00',"
        " '2026-06-01 08:30:00', 'booked', 'none', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')")
    con.commit()
    con.close()


def test_upgrading_a_version_4_database_adds_teams_and_makes_the_first_user_admin(tmp_path, app_config):
    path = tmp_path / "v4.db"
    make_v4_database(path)
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{path}"})
    with app.app_context(), database.connection_context():
        assert SchemaVersion.get().version == len(MIGRATIONS)
        assert [u.is_admin for u in User.select().order_by(User.id)] == [True, False]
        kind = EventType.get_by_id(1)
        assert (kind.team_id, kind.kind, kind.slug) == (None, EventType.PERSONAL, "appointment")
        appointment = Appointment.get_by_id(1)
        assert (appointment.title, appointment.team_id, appointment.booking_group) == ("Intro", None, None)
        ada = User.get_by_id(1)
        team = Team.create(name="Support", slug="support", created_by=ada)
        # a team type may share a slug with its maker's own type; two in one team may not, nor two of one owner
        EventType.create(owner=ada, team=team, kind=EventType.ROUND_ROBIN, title="Intro", slug="appointment")
        with pytest.raises(IntegrityError), database.atomic():
            EventType.create(owner=User.get_by_id(2), team=team, title="Intro", slug="appointment")
        with pytest.raises(IntegrityError), database.atomic():
            EventType.create(owner=ada, title="Again", slug="appointment")
        assert [k.id for k in EventType.of(ada)] == [1]
        assert [k.slug for k in EventType.of_team(team)] == ["appointment"]
