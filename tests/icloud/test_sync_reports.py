"""Sync reports and calendar queries against the iCloud shape: opaque tokens, short etags, the collection listed."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import caldav
import pytest
from caldav.lib import error as caldav_error

from tests.conftest import APP_PASSWORD
from tests.icloud.conftest import ADA
from webapp.caldav_store import Forbidden, InvalidSyncToken, RateLimited, Store, translate_errors

WORK = "2A1F0C3E-WORK"
EVENT = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Slotwise tests//EN
BEGIN:VEVENT
UID:{uid}
DTSTAMP:20261101T090000Z
DTSTART:20261201T100000Z
DTEND:20261201T110000Z
SUMMARY:{summary}
END:VEVENT
END:VCALENDAR
"""
ETAG = re.compile(r'"[0-9a-z]{8}"')
TOKEN = re.compile(r"[A-Za-z0-9+/]+=*")


def calendar(front, store: Store) -> caldav.Calendar:
    return store.calendar(front.calendar_url(ADA, WORK))


def test_sync_tokens_are_opaque_base64_and_etags_short_base36(ada):
    etag = ada.put_event(ADA, WORK, "dentist.ics", EVENT.format(uid="dentist@test", summary="Dentist"))
    assert ETAG.fullmatch(etag)
    with Store(ada.url, ADA, APP_PASSWORD, timeout=5, allowed_hosts=ada.allowed_hosts) as store, translate_errors():
        result = calendar(ada, store).get_objects_by_sync_token(sync_token=None, load_objects=False,
                                                                disable_fallback=True)
    assert TOKEN.fullmatch(result.sync_token) and "radicale" not in result.sync_token
    assert all(ETAG.fullmatch(o.props["{DAV:}getetag"]) for o in result.objects)


SYNC_REPORT = """<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level>
<D:prop><D:getetag/></D:prop></D:sync-collection>"""


def test_sync_report_lists_the_collection_itself(ada):
    ada.put_event(ADA, WORK, "dentist.ics", EVENT.format(uid="dentist@test", summary="Dentist"))
    url = ada.calendar_url(ADA, WORK)
    with Store(ada.url, ADA, APP_PASSWORD, timeout=5, allowed_hosts=ada.allowed_hosts) as store:
        response = store.client.request(url, "REPORT", SYNC_REPORT.format(token=""), {"Depth": "1"})
        hrefs = sorted(h.text for h in response.tree.iter("{DAV:}href"))
        assert [h.rsplit("/", 1)[-1] for h in hrefs] == ["", "dentist.ics"]
        with translate_errors():  # caldav drops the collection from its result itself
            first = calendar(ada, store).get_objects_by_sync_token(load_objects=False, disable_fallback=True)
    assert [str(o.url) for o in first.objects] == [url + "dentist.ics"]


def test_an_unchanged_sync_is_one_request(ada):
    ada.put_event(ADA, WORK, "dentist.ics", EVENT.format(uid="dentist@test", summary="Dentist"))
    with Store(ada.url, ADA, APP_PASSWORD, timeout=5, allowed_hosts=ada.allowed_hosts) as store, translate_errors():
        cal = calendar(ada, store)
        first = cal.get_objects_by_sync_token(sync_token=None, load_objects=False, disable_fallback=True)
        ada.reset_counts()
        again = cal.get_objects_by_sync_token(sync_token=first.sync_token, load_objects=False,
                                              disable_fallback=True)
    assert ada.request_count == 1
    assert again.sync_token == first.sync_token
    assert list(again.objects) == [] and not again.deleted_urls


def test_a_deletion_comes_back_as_a_bare_404_href(ada):
    ada.put_event(ADA, WORK, "dentist.ics", EVENT.format(uid="dentist@test", summary="Dentist"))
    with Store(ada.url, ADA, APP_PASSWORD, timeout=5, allowed_hosts=ada.allowed_hosts) as store, translate_errors():
        cal = calendar(ada, store)
        first = cal.get_objects_by_sync_token(sync_token=None, load_objects=False, disable_fallback=True)
        ada.delete_event(ADA, WORK, "dentist.ics")
        after = cal.get_objects_by_sync_token(sync_token=first.sync_token, load_objects=False,
                                              disable_fallback=True)
    assert [str(u) for u in after.deleted_urls] == [ada.calendar_url(ADA, WORK) + "dentist.ics"]
    assert after.sync_token != first.sync_token


@pytest.mark.parametrize("names_precondition", [True, False], ids=["valid-sync-token", "bare-403"])
def test_an_unknown_sync_token_is_refused_with_403(ada, names_precondition):
    ada.invalid_token_names_precondition = names_precondition
    with Store(ada.url, ADA, APP_PASSWORD, timeout=5, allowed_hosts=ada.allowed_hosts) as store:
        cal = calendar(ada, store)
        with pytest.raises(caldav_error.AuthorizationError) as raw_error:
            cal.get_objects_by_sync_token(sync_token="HwoQEgwAAAAAAAAA/+==", load_objects=False,
                                          disable_fallback=True)
        assert raw_error.value.status == 403
        with pytest.raises(Forbidden) as caught, translate_errors():
            cal.get_objects_by_sync_token(sync_token="HwoQEgwAAAAAAAAA/+==", load_objects=False,
                                          disable_fallback=True)
    assert isinstance(caught.value, InvalidSyncToken) is names_precondition


def test_calendar_query_lists_the_collection_only_without_a_time_range(ada):
    ada.put_event(ADA, WORK, "dentist.ics", EVENT.format(uid="dentist@test", summary="Dentist"))
    url = ada.calendar_url(ADA, WORK)
    with Store(ada.url, ADA, APP_PASSWORD, timeout=5, allowed_hosts=ada.allowed_hosts) as store, translate_errors():
        cal = calendar(ada, store)
        ranged = cal.search(event=True, start=datetime(2026, 11, 1, tzinfo=timezone.utc),
                            end=datetime(2027, 1, 1, tzinfo=timezone.utc), post_filter=False)
        assert [str(e.url) for e in ranged] == [url + "dentist.ics"]
        everything = cal._query(caldav.elements.cdav.CalendarQuery() + [
            caldav.elements.dav.Prop() + [caldav.elements.dav.GetEtag()],
            caldav.elements.cdav.Filter() + caldav.elements.cdav.CompFilter("VCALENDAR"),
        ], 1, "report")
        hrefs = sorted(h.text for h in everything.tree.iter("{DAV:}href"))
    assert [h.rsplit("/", 1)[-1] for h in hrefs] == ["", "dentist.ics"]


def test_multiget_without_hrefs_is_rate_limited_with_retry_after(ada):
    with Store(ada.url, ADA, APP_PASSWORD, timeout=5, allowed_hosts=ada.allowed_hosts) as store, pytest.raises(RateLimited) as caught:
        with translate_errors():
            store.client.request(ada.calendar_url(ADA, WORK), "REPORT",
                                 '<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" '
                                 'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop>'
                                 '</C:calendar-multiget>', {"Depth": "1"})
    assert caught.value.retry_after == 120
