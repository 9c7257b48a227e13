"""GET /healthz: database, scheduler, accounts needing reconnect, age of the last sync."""
from __future__ import annotations

import shutil
from datetime import timedelta

from webapp import create_app
from webapp.models import CalendarAccount, utcnow


def test_healthz_answers_without_sign_in_and_without_personal_data(client, user, make_account):
    account = make_account(user, "ada@icloud.example")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "scheduler": "off",
                                   "accounts_needing_reconnect": 0, "last_sync_age_seconds": None}
    assert "ada" not in response.get_data(as_text=True)
    assert account.id


def test_healthz_counts_reconnects_and_the_newest_sync(app, client, user, make_account):
    first = make_account(user, "ada@icloud.example")
    second = make_account(user, "ada.work@icloud.example")
    with app.app_context():
        CalendarAccount.update(status=CalendarAccount.NEEDS_RECONNECT, last_synced_at=utcnow() - timedelta(hours=2)
                               ).where(CalendarAccount.id == first.id).execute()
        CalendarAccount.update(last_synced_at=utcnow() - timedelta(seconds=90)).where(
            CalendarAccount.id == second.id).execute()
    body = client.get("/healthz").get_json()
    assert body["accounts_needing_reconnect"] == 1
    assert 90 <= body["last_sync_age_seconds"] < 150


def test_healthz_is_503_when_the_database_does_not_answer(app_config, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{folder / 'slotwise.db'}"})
    shutil.rmtree(folder)  # the file and its folder are gone: SQLite cannot open it any more
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"
    assert response.get_json()["status"] == "degraded"


def test_healthz_reports_a_running_and_a_stopped_scheduler(app_config):
    from webapp.sync.scheduler import shutdown

    app = create_app({**app_config, "SCHEDULER_ENABLED": True})
    try:
        assert app.test_client().get("/healthz").get_json()["scheduler"] == "running"
    finally:
        shutdown(app)
    body = app.test_client().get("/healthz").get_json()
    assert body["scheduler"] == "stopped" and body["status"] == "degraded"
