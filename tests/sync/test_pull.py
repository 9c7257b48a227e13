"""Pull against the real Radicale rig: remote events become Blocked Slots, incrementally and cheaply."""
from __future__ import annotations

from urllib.parse import urlsplit

from lxml import etree

from tests.sync.conftest import at, vevent
from webapp.caldav_store.davxml import calendars_in
from webapp.models import BlockedSlot, CalendarAccount, RemoteCalendar, RemoteObject, SyncRun


def test_first_sync_imports_each_occurrence_of_primary_and_conflict_calendars(rig):
    rig.put("home", "a.ics", vevent("a", at(1, 9), summary="Dentist"))
    rig.put("work", "b.ics", vevent("b", at(2, 14), 30, "Review", "RRULE:FREQ=DAILY;COUNT=3"))
    run = rig.sync()
    assert run.error is None and run.pulled == 2
    assert rig.slots() == sorted([
        (at(1, 9), at(1, 10), "Dentist"),
        (at(2, 14), at(2, 14, 30), "Review"), (at(3, 14), at(3, 14, 30), "Review"),
        (at(4, 14), at(4, 14, 30), "Review"),
    ])
    with rig.app.app_context():
        assert BlockedSlot.select().where(BlockedSlot.uid == "b").count() == 3
        assert all(s.recurrence_id for s in BlockedSlot.select().where(BlockedSlot.uid == "b"))


def test_calendar_with_role_none_is_not_read_and_its_mirror_is_dropped(rig, caldav_server):
    rig.put("work", "b.ics", vevent("b", at(2, 14)))
    rig.sync()
    assert len(rig.slots()) == 1
    with rig.app.app_context():
        RemoteCalendar.update(role="none").where(RemoteCalendar.url == rig.work_url).execute()
    rig.sync()
    assert rig.slots() == []
    cal = rig.calendar(rig.work_url)
    assert cal.sync_token is None
    with rig.app.app_context():
        assert RemoteObject.select().where(RemoteObject.calendar == cal).count() == 0
        RemoteCalendar.update(role="conflict").where(RemoteCalendar.url == rig.work_url).execute()
    rig.sync()
    assert len(rig.slots()) == 1  # re-adding re-imports


def test_edits_additions_and_deletions_on_the_server_show_after_the_next_sync(rig):
    rig.put("home", "a.ics", vevent("a", at(1, 9), summary="Old"))
    rig.put("home", "gone.ics", vevent("gone", at(1, 12)))
    rig.sync()
    rig.put("home", "a.ics", vevent("a", at(1, 15), summary="Moved"))
    rig.delete("home", "gone.ics")
    rig.put("work", "new.ics", vevent("new", at(5, 8), summary="New"))
    run = rig.sync()
    assert (run.pulled, run.updated, run.deleted) == (1, 1, 1)
    assert rig.slots() == [(at(1, 15), at(1, 16), "Moved"), (at(5, 8), at(5, 9), "New")]


def test_unchanged_calendar_costs_exactly_one_request(rig, caldav_server):
    rig.put("home", "a.ics", vevent("a", at(1, 9)))
    rig.sync()
    with rig.app.app_context():
        RemoteCalendar.update(role="none").where(RemoteCalendar.url == rig.work_url).execute()
    rig.sync()
    caldav_server.reset_counts()
    run = rig.sync()
    assert caldav_server.request_count == 1
    assert run.requests == 1 and run.error is None


def test_ten_changed_events_cost_at_most_two_requests(rig, caldav_server):
    with rig.app.app_context():
        RemoteCalendar.update(role="none").where(RemoteCalendar.url == rig.work_url).execute()
    for i in range(3):
        rig.put("home", f"keep{i}.ics", vevent(f"keep{i}", at(1, 8 + i)))
    rig.sync()
    for i in range(10):
        rig.put("home", f"e{i}.ics", vevent(f"e{i}", at(2 + i, 10)))
    caldav_server.reset_counts()
    run = rig.sync()
    assert caldav_server.request_count <= 2
    assert run.pulled == 10 and len(rig.slots()) == 13


def test_refused_sync_token_falls_back_to_a_full_listing(rig):
    rig.put("home", "a.ics", vevent("a", at(1, 9)))
    rig.put("home", "b.ics", vevent("b", at(1, 11)))
    rig.sync()
    rig.delete("home", "b.ics")
    rig.put("home", "c.ics", vevent("c", at(1, 13)))
    expired = "http://radicale.org/ns/sync/" + "0" * 64  # a token the server does not know
    with rig.app.app_context():
        RemoteCalendar.update(sync_token=expired).where(RemoteCalendar.url == rig.home_url).execute()
    run = rig.sync()
    assert run.error is None and "sync token was refused" in run.warnings
    assert [s[0] for s in rig.slots()] == [at(1, 9), at(1, 13)]
    assert rig.calendar(rig.home_url).sync_token not in (None, expired)


def test_calendar_suddenly_empty_keeps_its_rows_until_a_second_sync_confirms(rig):
    for i in range(4):
        rig.put("home", f"e{i}.ics", vevent(f"e{i}", at(1, 8 + i)))
    rig.sync()
    for i in range(4):
        rig.delete("home", f"e{i}.ics")
    run = rig.sync()
    assert "suddenly lists no events" in run.warnings
    assert len(rig.slots()) == 4
    run = rig.sync()
    assert rig.slots() == [] and run.deleted == 4


def test_malformed_object_is_skipped_counted_and_the_rest_imported(rig, wire):
    rig.put("home", "good.ics", vevent("good", at(1, 9)))
    rig.put("home", "bad.ics", vevent("bad", at(1, 12), extra="RRULE:FREQ=DAILY;COUNT=2"))
    wire.rewrite.append((b"FREQ=DAILY;COUNT=2", b"FREQ=SOMETIMES;COUNT=2"))  # Radicale refuses to store it
    run = rig.sync()
    assert wire.rewritten == 1
    assert run.error is None and run.skipped == 1 and "bad.ics" in run.warnings
    assert rig.slots() == [(at(1, 9), at(1, 10), "Busy")]


def test_unreadable_object_is_fetched_once_more_then_accepted_as_broken(rig, wire, caldav_server):
    rig.put("home", "good.ics", vevent("good", at(1, 9)))
    rig.put("home", "bad.ics", vevent("bad", at(1, 12), extra="RRULE:FREQ=DAILY;COUNT=2"))
    wire.rewrite.append((b"FREQ=DAILY;COUNT=2", b"FREQ=SOMETIMES;COUNT=2"))
    assert rig.sync().skipped == 1
    assert rig.sync().skipped == 1  # a garbled transfer looks the same: this version is read once more
    caldav_server.reset_counts()
    run = rig.sync()
    assert run.skipped == 0 and caldav_server.request_count == 2  # one per calendar: then left alone until it changes
    wire.rewrite.clear()
    rig.put("home", "bad.ics", vevent("bad", at(1, 12), extra="RRULE:FREQ=DAILY;COUNT=3"))
    rig.sync()
    assert len(rig.slots()) == 4  # once fixed on the server it blocks time like any event


def test_failed_fetch_never_deletes_local_rows(rig, caldav_server):
    rig.put("home", "a.ics", vevent("a", at(1, 9)))
    rig.sync()
    caldav_server.stop()
    try:
        run = rig.sync()
    finally:
        caldav_server.start()
    assert "could not be reached" in run.error
    assert len(rig.slots()) == 1
    with rig.app.app_context():
        assert SyncRun.select().count() == 2


def test_window_moves_forward_by_re_expanding_stored_events_without_a_request(rig, caldav_server):
    rig.put("home", "w.ics", vevent("w", at(1, 9), extra="RRULE:FREQ=WEEKLY"))
    rig.app.config["SYNC_HORIZON_DAYS"] = 14
    rig.sync()
    assert len(rig.slots()) == 2
    rig.app.config["SYNC_HORIZON_DAYS"] = 28
    with rig.app.app_context():
        RemoteCalendar.update(role="none").where(RemoteCalendar.url == rig.work_url).execute()
    caldav_server.reset_counts()
    rig.sync()
    assert caldav_server.request_count == 1
    assert len(rig.slots()) == 4


def test_server_refusing_sync_collection_is_read_with_an_etag_listing_and_one_multiget(rig, wire, caldav_server):
    rig.put("home", "a.ics", vevent("a", at(1, 9)))
    rig.sync()
    rig.put("home", "b.ics", vevent("b", at(1, 11)))
    with rig.app.app_context():
        RemoteCalendar.update(role="none").where(RemoteCalendar.url == rig.work_url).execute()
    wire.answer += [("REPORT", 403, {}), ("REPORT", 403, {})]  # a bare 403, not valid-sync-token
    wire.sent.clear()
    run = rig.sync()
    assert run.error is None and wire.sent == ["REPORT", "REPORT", "PROPFIND", "REPORT"]
    assert [s[0] for s in rig.slots()] == [at(1, 9), at(1, 11)]
    assert run.pulled == 1


def test_rate_limit_waits_as_long_as_the_server_asks(rig, wire):
    wire.answer.append(("REPORT", 503, {"Retry-After": "120"}))
    run = rig.sync()
    assert run.error == "iCloud asked Slotwise to slow down; it will try again in 120 seconds."
    with rig.app.app_context():
        account = CalendarAccount.get_by_id(rig.account_id)
        wait = (account.next_sync_after - run.started_at).total_seconds()
        assert 115 <= wait <= 125 and account.consecutive_failures == 1
        from webapp.sync import due_account_ids

        assert rig.account_id not in due_account_ids()


def test_collection_listed_as_its_own_member_is_ignored(rig, wire):
    """iCloud lists the calendar itself in sync-collection answers."""
    rig.put("home", "a.ics", vevent("a", at(1, 9)))
    path = urlsplit(rig.home_url).path
    member = (f'<response><href>{path}</href><propstat><prop><getetag>"c1"</getetag></prop>'
              "<status>HTTP/1.1 200 OK</status></propstat></response></multistatus>").encode()
    wire.rewrite.append((b"</multistatus>", member))
    run = rig.sync()
    assert wire.rewritten >= 1 and run.error is None and run.skipped == 0
    assert [s[0] for s in rig.slots()] == [at(1, 9)]
    with rig.app.app_context():
        assert RemoteObject.select().where(RemoteObject.href.endswith("/home/")).count() == 0


def test_a_uid_longer_than_its_column_is_mirrored_cut_to_it(rig):
    """PostgreSQL refuses a value longer than a VARCHAR column (SQLite keeps it): a 600-character UID is cut."""
    rig.put("home", "long.ics", vevent("u" * 600, at(1, 9), summary="Long"))
    run = rig.sync()
    assert run.error is None and run.pulled == 1
    with rig.app.app_context():
        [obj] = RemoteObject.select().where(RemoteObject.href.endswith("long.ics"))
        assert obj.uid == "u" * 512
    assert rig.slots() == [(at(1, 9), at(1, 10), "Long")]


def test_a_calendar_name_and_ctag_longer_than_their_columns_are_cut():
    body = (
        '<d:multistatus xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"'
        ' xmlns:c="urn:ietf:params:xml:ns:caldav"><d:response>'
        "<d:href>/cal/long/</d:href><d:propstat><d:prop>"
        f"<d:displayname>{'N' * 300}</d:displayname><cs:getctag>{'c' * 600}</cs:getctag>"
        "<d:resourcetype><d:collection/><c:calendar/></d:resourcetype>"
        "</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"
    )
    [info] = calendars_in(etree.fromstring(body.encode()), "https://example.com/cal/")
    assert (info.name, info.ctag) == ("N" * 255, "c" * 512)
