"""The pure sync core: plans from (local, remote, own), push steps and backoff, without network or DB."""
from __future__ import annotations

from datetime import datetime

from webapp.sync import plan as core

NOW = datetime(2026, 3, 10, 12)


def test_delta_fetches_new_and_changed_and_deletes_reported_deletions():
    plan = core.plan_pull({"a": "1", "b": "1", "c": "1"}, {"a": "1", "b": "2", "n": "1"}, ["c"], full=False, own={})
    assert plan.fetch == ["b", "n"] and plan.delete == ["c"] and not plan.suspect_empty


def test_full_listing_deletes_what_is_no_longer_listed():
    plan = core.plan_pull({"a": "1", "b": "1"}, {"a": "1"}, [], full=True, own={})
    assert plan.fetch == [] and plan.delete == ["b"]


def test_missing_etag_is_always_fetched():
    assert core.plan_pull({"a": None}, {"a": None}, [], full=False, own={}).fetch == ["a"]


def test_own_events_are_never_fetched_and_edits_or_deletions_are_flagged_for_restore():
    own = {"mine": "7", "mine2": "3"}
    plan = core.plan_pull({}, {"mine": "7", "mine2": "4"}, [], full=True, own=own)
    assert plan.fetch == [] and plan.touch == {"mine": "7", "mine2": "4"} and plan.own_changed == {"mine2": "4"}
    plan = core.plan_pull({"mine": "7"}, {}, ["mine"], full=False, own=own)
    assert plan.own_changed == {"mine": None} and plan.delete == ["mine"]


def test_calendar_that_suddenly_lists_nothing_is_suspect_only_after_having_many():
    many = {f"e{i}": "1" for i in range(core.EMPTY_GUARD_MIN)}
    assert core.plan_pull(many, {}, [], full=True, own={}).suspect_empty
    assert core.plan_pull(many, {}, list(many), full=False, own={}).suspect_empty
    assert not core.plan_pull({"a": "1"}, {}, [], full=True, own={}).suspect_empty
    assert not core.empty_confirmed(1) and core.empty_confirmed(2)


def test_push_writes_booked_appointments_to_the_primary_calendar():
    steps = core.plan_push(booked=True, end_utc=NOW, now=NOW, primary_id=1, remote_calendar_id=None,
                           has_remote_copy=False)
    assert steps == [core.WRITE]


def test_push_without_primary_calendar_writes_nowhere():
    assert core.plan_push(booked=True, end_utc=NOW, now=NOW, primary_id=None, remote_calendar_id=None,
                          has_remote_copy=False) == [core.MARK_NONE]


def test_primary_change_deletes_the_old_copy_before_creating_the_new_one():
    assert core.plan_push(booked=True, end_utc=NOW, now=NOW, primary_id=2, remote_calendar_id=1,
                          has_remote_copy=True) == [core.DELETE_REMOTE, core.WRITE]


def test_past_appointment_is_not_moved():
    assert core.plan_push(booked=True, end_utc=datetime(2026, 3, 1), now=NOW, primary_id=2, remote_calendar_id=1,
                          has_remote_copy=True) == [core.KEEP]


def test_cancelled_appointment_deletes_its_copy_or_does_nothing():
    assert core.plan_push(booked=False, end_utc=NOW, now=NOW, primary_id=1, remote_calendar_id=1,
                          has_remote_copy=True) == [core.DELETE_REMOTE]
    assert core.plan_push(booked=False, end_utc=NOW, now=NOW, primary_id=1, remote_calendar_id=None,
                          has_remote_copy=False) == []


def test_backoff_doubles_and_is_capped_at_an_hour():
    assert [core.backoff_seconds(n) for n in range(0, 5)] == [0, 60, 120, 240, 480]
    assert core.backoff_seconds(30) == 3600


def test_own_event_whose_write_was_never_confirmed_is_adopted_not_restored():
    plan = core.plan_pull({}, {"mine": "9"}, [], full=False, own={"mine": None})
    assert plan.adopt == {"mine": "9"} and plan.own_changed == {} and plan.fetch == []


def test_unconfirmed_own_write_missing_from_the_listing_is_not_reported_as_deleted():
    plan = core.plan_pull({}, {}, [], full=True, own={"mine": None})
    assert plan.own_changed == {} and plan.delete == []
