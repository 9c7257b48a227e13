"""Property: whatever happens in between, one clean sync makes the mirror equal the server's busy set,
puts every live appointment on the server exactly once (in the Primary Calendar), and writes nothing else."""
from __future__ import annotations

import itertools
from datetime import timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import APP_PASSWORD
from tests.sync.conftest import at, vevent
from webapp.calendars import ical
from webapp.models import Appointment, BlockedSlot, Contact, RemoteCalendar, utcnow
from webapp.sync import request_push, sync_account_now

REMOTE_IDS = [f"r{i}" for i in range(5)]
METHODS = ["PUT", "DELETE", "REPORT", "GET", "PROPFIND"]
_numbers = itertools.count()

day_hour = st.tuples(st.integers(1, 20), st.integers(6, 18))
operations = st.lists(
    st.one_of(
        st.tuples(st.just("put"), st.sampled_from(REMOTE_IDS), day_hour, st.booleans()),
        st.tuples(st.just("delete"), st.sampled_from(REMOTE_IDS)),
        st.tuples(st.just("book"), day_hour),
        st.tuples(st.just("reschedule"), st.integers(0, 9), day_hour),
        st.tuples(st.just("cancel"), st.integers(0, 9)),
        st.tuples(st.just("edit_own"), st.integers(0, 9), st.booleans()),
        st.tuples(st.just("swap_primary"),),
        st.tuples(st.just("sync"),),
        st.tuples(st.just("fail"), st.sampled_from(METHODS), st.booleans()),
    ),
    min_size=3,
    max_size=12,
)


@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=operations)
def test_any_sequence_converges_after_one_clean_sync(app, caldav_server, make_user, make_account, wire, ops):
    app.config["SYNC_HORIZON_DAYS"] = 30
    n = next(_numbers)
    icloud = f"p{n}@icloud.example"
    caldav_server.add_user(icloud, APP_PASSWORD)
    urls = {cid: caldav_server.make_calendar(icloud, cid, cid) for cid in ("home", "work")}
    owner = make_user(email=f"p{n}@example.com", timezone="Europe/Berlin")
    account = make_account(owner, icloud, calendars={urls["home"]: ("home", "primary"),
                                                    urls["work"]: ("work", "conflict")})
    # An event that stays in each calendar, so the empty-calendar guard never holds rows back at the end.
    for cid in ("home", "work"):
        caldav_server.put_event(icloud, cid, "anchor.ics", vevent(f"anchor-{cid}@{n}", at(25, 12)))
    remote: dict[str, str] = {}  # remote event uid → calendar id it lives in
    appointments: list[int] = []

    def calendar_of(rid: str) -> str:
        return "home" if int(rid[1]) % 2 == 0 else "work"

    with app.app_context():
        contact = Contact.create(owner=owner.id, name="Bo", email="bo@example.org")
        for op in ops:
            kind = op[0]
            if kind == "put":
                _, rid, (day, hour), recurring = op
                extra = "RRULE:FREQ=DAILY;COUNT=3" if recurring else ""
                caldav_server.put_event(icloud, calendar_of(rid), f"{rid}.ics",
                                        vevent(f"{rid}@{n}", at(day, hour), summary=rid, extra=extra))
                remote[f"{rid}@{n}"] = calendar_of(rid)
            elif kind == "delete" and f"{op[1]}@{n}" in remote:
                caldav_server.delete_event(icloud, calendar_of(op[1]), f"{op[1]}.ics")
                del remote[f"{op[1]}@{n}"]
            elif kind == "book":
                start = at(*op[1])
                appt = Appointment.create(owner=owner.id, contact=contact, start_utc=start,
                                          end_utc=start + timedelta(minutes=30))
                appointments.append(appt.id)
                request_push(appt.id)
            elif kind in ("reschedule", "cancel") and appointments:
                appt_id = appointments[op[1] % len(appointments)]
                if kind == "reschedule":
                    start = at(*op[2])
                    fields = {"start_utc": start, "end_utc": start + timedelta(minutes=45)}
                else:
                    fields = {"status": Appointment.CANCELLED}
                Appointment.update(**fields).where(Appointment.id == appt_id).execute()
                request_push(appt_id)
            elif kind == "edit_own" and appointments:
                appt = Appointment.get_by_id(appointments[op[1] % len(appointments)])
                if appt.remote_href:
                    cid = "home" if appt.remote_calendar.url == urls["home"] else "work"
                    filename = unquote(appt.remote_href.rsplit("/", 1)[-1])
                    if op[2]:
                        caldav_server.put_event(icloud, cid, filename, vevent(appt.event_uid, at(2, 3), summary="x"))
                    else:
                        # the copy may be gone already: deleted by an earlier edit, or by a push whose
                        # answer the wire dropped (Slotwise then still holds its href)
                        caldav_server.delete_event(icloud, cid, filename, missing_ok=True)
            elif kind == "swap_primary":
                for cal in RemoteCalendar.select().where(RemoteCalendar.account == account.id):
                    cal.role = "conflict" if cal.role == "primary" else "primary"
                    cal.save()
            elif kind == "sync":
                sync_account_now(account.id)
            elif kind == "fail":
                (wire.fail_after if op[2] else wire.fail_before).append(op[1])

        wire.fail_after.clear()
        wire.fail_before.clear()
        run = sync_account_now(account.id)
        assert run.error is None, run.error

        # 1. The mirror equals the server's busy set (Slotwise's own events excluded).
        now = utcnow()
        lo, hi = now - timedelta(days=1), now + timedelta(days=30)
        zone = ZoneInfo("Europe/Berlin")
        server: dict[str, dict[str, str]] = {cid: caldav_server.objects(icloud, cid) for cid in ("home", "work")}
        expected = set()
        uids_on_server: list[tuple[str, str]] = []
        for cid, objects in server.items():
            for text in objects.values():
                uid = ical.object_uid(text)
                uids_on_server.append((uid, cid))
                if not uid.endswith("@slotwise"):
                    expected |= {(b.uid, b.start, b.end) for b in ical.busy_occurrences(text, lo, hi, zone)}
        mirror = {(s.uid, s.start_utc, s.end_utc)
                  for s in BlockedSlot.select().where(BlockedSlot.owner == owner.id,
                                                      BlockedSlot.source == BlockedSlot.ICLOUD)}
        assert mirror == expected

        # 2. Every live appointment exists exactly once, in the Primary Calendar, at its time.
        primary = RemoteCalendar.get(RemoteCalendar.account == account.id, RemoteCalendar.role == "primary")
        primary_id = "home" if primary.url == urls["home"] else "work"
        own = [(uid, cid) for uid, cid in uids_on_server if uid.endswith("@slotwise")]
        live = list(Appointment.select().where(Appointment.owner == owner.id, Appointment.status == "booked"))
        assert sorted(own) == sorted((a.event_uid, primary_id) for a in live)
        for appt in live:
            assert appt.push_state == Appointment.PUSH_SYNCED
            [text] = [t for t in server[primary_id].values() if ical.object_uid(t) == appt.event_uid]
            [busy] = ical.busy_occurrences(text, lo, hi, zone)
            assert (busy.start, busy.end) == (appt.start_utc, appt.end_utc)

        # 3. Nothing else was written: the remaining objects are exactly the events put by "iCloud".
        others = sorted((uid, cid) for uid, cid in uids_on_server if not uid.endswith("@slotwise"))
        anchors = [(f"anchor-{cid}@{n}", cid) for cid in ("home", "work")]
        assert others == sorted(list(remote.items()) + anchors)
