"""Running the sync: one at a time per account (a second one waits, then runs), the scheduler, the CLI."""
from __future__ import annotations

import threading
import time

from tests.sync.conftest import ICLOUD_USER, at, vevent
from webapp.sync import scheduler
from webapp.models import CalendarAccount, SyncRun, utcnow
from webapp.sync import account_lock, request_sync, sync_account_now


def test_sync_asked_for_while_one_runs_waits_for_it_and_then_runs(rig):
    results = []

    def ask() -> None:
        with rig.app.app_context():
            results.append(sync_account_now(rig.account_id))

    lock = account_lock(rig.account_id)
    lock.acquire()  # a sync is running for this account
    try:
        waiter = threading.Thread(target=ask)
        waiter.start()
        time.sleep(0.3)
        assert waiter.is_alive() and results == []  # it waits …
        rig.put("home", "late.ics", vevent("late", at(1, 9)))  # … and must see what the server has now
    finally:
        lock.release()
    waiter.join(10)
    [run] = results
    assert run is not None and run.pulled == 1  # never silently dropped


def test_two_syncs_of_one_account_never_overlap(rig):
    rig.put("home", "a.ics", vevent("a", at(1, 9)))
    runs = []

    def ask() -> None:
        with rig.app.app_context():
            runs.append(sync_account_now(rig.account_id))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert len(runs) == 2 and all(r.error is None for r in runs)
    first, second = sorted(runs, key=lambda r: r.started_at)
    assert second.started_at >= first.finished_at
    assert len(rig.slots()) == 1


def test_request_sync_runs_in_the_background_when_not_inline(rig):
    rig.app.config["SYNC_INLINE"] = False
    rig.put("home", "a.ics", vevent("a", at(1, 9)))
    with rig.app.app_context():
        request_sync([rig.account_id])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not rig.slots():
        time.sleep(0.05)
    assert len(rig.slots()) == 1
    with account_lock(rig.account_id):  # the background run has finished with its lock
        pass


def test_scheduler_starts_only_when_enabled_and_only_once(app):
    assert scheduler.init_app(app) is None  # SCHEDULER_ENABLED is off in tests
    app.config["SCHEDULER_ENABLED"] = True
    app.debug = True  # under the reloader only the serving child starts it
    assert not scheduler.should_start(app)
    app.debug = False
    first = scheduler.init_app(app)
    try:
        assert scheduler.init_app(app) is first
        job = first.get_job(scheduler.JOB_ID)
        assert job.coalesce and job.max_instances == 1
        assert job.trigger.interval.total_seconds() == app.config["SYNC_INTERVAL_SECONDS"]
        mail = first.get_job("slotwise-mail-outbox")  # registered by the mail concern, run every minute
        assert mail.coalesce and mail.max_instances == 1 and mail.trigger.interval.total_seconds() == 60
    finally:
        scheduler.shutdown(app)


def test_scheduler_tick_syncs_due_accounts_and_skips_reconnect_and_backoff(rig, make_user, make_account,
                                                                         caldav_server):
    other = make_user(email="cy@example.com")
    waiting = make_account(other, "cy@icloud.example")
    revoked = make_account(other, "dee@icloud.example")
    with rig.app.app_context():
        CalendarAccount.update(next_sync_after=utcnow().replace(year=2099)).where(
            CalendarAccount.id == waiting.id).execute()
        CalendarAccount.update(status=CalendarAccount.NEEDS_RECONNECT).where(
            CalendarAccount.id == revoked.id).execute()
    assert scheduler.run_due_syncs(rig.app) == 1
    with rig.app.app_context():
        assert [r.account_id for r in SyncRun.select()] == [rig.account_id]


def test_sync_command_prints_a_summary_per_account(rig, runner):
    rig.put("home", "a.ics", vevent("a", at(1, 9)))
    result = runner.invoke(args=["sync", "--email", "ada@example.com"])
    assert result.exit_code == 0, result.output
    assert f"{ICLOUD_USER} (ada@example.com): pulled 1, updated 0, deleted 0, pushed 0, skipped 0" in result.output
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0 and "pulled 0" in result.output


def test_sync_command_reports_failures_in_words_and_unknown_email(rig, runner, caldav_server):
    result = runner.invoke(args=["sync", "--email", "nobody@example.com"])
    assert result.exit_code != 0 and "No connected iCloud account for nobody@example.com" in result.output
    caldav_server.add_user(ICLOUD_USER, "wxyz-wxyz-wxyz-wxyz")
    result = runner.invoke(args=["sync", "--email", ICLOUD_USER])
    assert result.exit_code == 1 and "failed: Apple did not accept" in result.output
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 1 and "needs reconnecting" in result.output
