"""A database at the schema version before the member fields gains them and keeps its invitations."""
from __future__ import annotations

import sqlite3

from webapp import create_app
from webapp.db import MIGRATIONS, _add_member_fields
from webapp.models import Invitation, SchemaVersion, User, database


def test_upgrading_a_database_from_before_the_member_fields_adds_them(tmp_path, app_config):
    before = MIGRATIONS.index(_add_member_fields)  # the version a database had just before this step
    path = tmp_path / "before.db"
    with create_app({**app_config, "DATABASE_URL": f"sqlite:///{path}"}).app_context():
        pass  # a new database at the newest version: taken back below
    con = sqlite3.connect(path)
    for table, column in (("user", "removed_at"), ("invitation", "nonce"), ("invitation", "revoked_at")):
        con.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    con.execute("UPDATE schemaversion SET version = ?", (before,))
    con.execute(
        "INSERT INTO user (id, email, password_hash, session_token, display_name, timezone, booking_slug,"
        " working_hours_json, slot_minutes, buffer_before_minutes, buffer_after_minutes, min_notice_minutes,"
        " horizon_days, notify_bookings, is_admin, created_at) VALUES (1, 'ada@example.com', 'x', 't', '', 'UTC',"
        " 's', '{}', 30, 0, 0, 240, 60, 1, 1, '2026-01-01 00:00:00')")
    con.execute("INSERT INTO invitation (id, email, invited_by_id, created_at, expires_at) VALUES"
                " (1, 'grace@example.com', 1, '2026-01-01 00:00:00', '2026-01-08 00:00:00')")
    con.commit()
    con.close()
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{path}"})
    with app.app_context(), database.connection_context():
        assert SchemaVersion.get().version == len(MIGRATIONS)
        ada = User.get_by_id(1)
        assert ada.removed_at is None and ada.is_active and ada.is_admin
        invitation = Invitation.get_by_id(1)
        assert (invitation.email, invitation.nonce, invitation.revoked_at) == ("grace@example.com", "", None)
