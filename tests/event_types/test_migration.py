"""A database made by the schema before event types (version 1) is upgraded in place and loses nothing."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from webapp import create_app
from webapp.db import MIGRATIONS
from webapp.models import Appointment, BlockedSlot, Contact, EventType, SchemaVersion, User

SCHEMA_V1 = Path(__file__).parent / "fixtures" / "schema_v1.sql"
HOURS = {"0": [["08:00", "12:00"], ["13:00", "18:00"]], "3": [["10:00", "16:00"]]}


def make_v1_database(path: Path) -> None:
    """Tables exactly as schema version 1 created them, with a user who changed every setting."""
    con = sqlite3.connect(path)
    con.executescript(SCHEMA_V1.read_text())
    con.execute("INSERT INTO schemaversion (version) VALUES (1)")
    users = [(1, "ada@example.com", "Ada", "Europe/Berlin", "adaslug", json.dumps(HOURS), 45, 10, 5, 120, 30),
             (2, "bob@example.com", "Bob", "UTC", "bobslug", json.dumps(HOURS), 30, 0, 0, 240, 60)]
    con.executemany(
        "INSERT INTO user (id, email, password_hash, display_name, timezone, booking_slug, working_hours_json,"
        " slot_minutes, buffer_before_minutes, buffer_after_minutes, min_notice_minutes, horizon_days, created_at)"
        " VALUES (?, ?, 'x', ?, ?, ?, ?, ?, ?, ?, ?, ?, '2026-01-01 00:00:00')", users)
    con.execute("INSERT INTO contact (id, owner_id, name, email, created_at)"
                " VALUES (1, 1, 'Grace', 'grace@example.com', '2026-01-01 00:00:00')")
    con.execute(
        "INSERT INTO appointment (id, uuid, owner_id, contact_id, title, start_utc, end_utc, status, push_state,"
        " push_attempts, created_at, updated_at) VALUES (1, 'u-1', 1, 1, 'Appointment with Grace',"
        " '2026-06-01 08:00:00', '2026-06-01 08:45:00', 'booked', 'none', 0, '2026-01-01 00:00:00',"
        " '2026-01-01 00:00:00')")
    con.execute("INSERT INTO blockedslot (owner_id, source, start_utc, end_utc, all_day, title, created_at)"
                " VALUES (1, 'manual', '2026-06-02 08:00:00', '2026-06-02 09:00:00', 0, 'Focus',"
                " '2026-01-01 00:00:00')")
    con.commit()
    con.close()


def test_upgrading_a_version_1_database_makes_the_first_event_type_and_loses_nothing(tmp_path, app_config):
    path = tmp_path / "old.db"
    make_v1_database(path)
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{path}"})
    with app.app_context():
        assert SchemaVersion.get().version == len(MIGRATIONS)
        ada, bob = User.get_by_id(1), User.get_by_id(2)
        assert (ada.email, ada.name, ada.timezone, ada.booking_slug, ada.working_hours) == (
            "ada@example.com", "Ada", "Europe/Berlin", "adaslug", HOURS)
        [kind] = EventType.select().where(EventType.owner == ada)
        assert (kind.duration_minutes, kind.buffer_before_minutes, kind.buffer_after_minutes,
                kind.minimum_notice_minutes, kind.horizon_days) == (45, 10, 5, 120, 30)
        assert (kind.title, kind.slug, kind.active, kind.step_minutes, kind.daily_limit, kind.weekly_limit) == (
            "Appointment", "appointment", True, None, None, None)
        [bobs] = EventType.select().where(EventType.owner == bob)
        assert (bobs.duration_minutes, bobs.minimum_notice_minutes, bobs.horizon_days) == (30, 240, 60)
        appointment = Appointment.get_by_id(1)
        assert (appointment.title, appointment.contact.name, appointment.event_type_id, appointment.uuid) == (
            "Appointment with Grace", "Grace", kind.id, "u-1")
        assert BlockedSlot.select().count() == 1 and Contact.select().count() == 1
    con = sqlite3.connect(path)
    assert [row[2] for row in con.execute("PRAGMA index_info('appointment_event_type_id')")] == ["event_type_id"]
    con.close()
    # the upgraded database serves its old booking link with the same length and hours
    client = app.test_client()
    page = client.get("/book/adaslug")
    assert page.status_code == 200 and "45 minutes" in page.get_data(as_text=True)


def test_an_upgraded_database_is_not_migrated_twice(tmp_path, app_config):
    path = tmp_path / "old.db"
    make_v1_database(path)
    config = {**app_config, "DATABASE_URL": f"sqlite:///{path}"}
    create_app(config)
    app = create_app(config)
    with app.app_context():
        assert SchemaVersion.get().version == len(MIGRATIONS)
        assert EventType.select().count() == 2
