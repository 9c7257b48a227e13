"""The Store: one authenticated connection to an account's CalDAV server, its requests and its writes."""
from __future__ import annotations

import contextlib
import functools
import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import caldav
from lxml import etree

from . import davxml
from .davxml import MULTIGET, CalendarInfo, Fetched, Listing, escape_xml, href_element
from .errors import MalformedResponse, RequestTooLarge, from_status, translate_errors
from .hosts import DEFAULT_ALLOWED_HOSTS, DEFAULT_MAX_RESPONSE_BYTES, Guard, host_rules

log = logging.getLogger(__name__)

# One calendar-multiget at most: 1,000 hrefs (Zoho's cap) and 512 KB of body; smaller when the server
# refuses (see Store.multiget_batches). An unanswered href is asked at most MULTIGET_ASKS times a sync.
MULTIGET_MAX_HREFS = 1000
MULTIGET_MAX_BYTES = 512 * 1024
MULTIGET_ASKS = 3

XML_HEADERS = {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"}
ICS_TYPE = "text/calendar; charset=utf-8"

RequestHook = Callable[..., Any]
"""`hook(send, method, url, *args, **kwargs) -> response`, called for every HTTP request of a Store instead
of `send` (the session's own `request`); it calls `send` to let the request through. Tests give one (the
app's CALDAV_REQUEST_HOOK setting) to lose a reply, refuse a request or change an answer on the wire."""


class Store:
    """One authenticated connection to an account's CalDAV server.

    `requests` counts every HTTP request made, for SyncRun records. `request_hook` (see `RequestHook`)
    sees every request before the host guard and after it, for fault injection.
    """

    def __init__(self, url: str, username: str, password: str, *, timeout: float = 20,
                 allowed_hosts: str | Iterable[str] = DEFAULT_ALLOWED_HOSTS,
                 max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES, request_hook: RequestHook | None = None):
        self.base_url = url.rstrip("/") + "/"
        self.requests = 0
        self._guard = Guard(self.base_url, host_rules(allowed_hosts), max_response_bytes)
        self.client = caldav.DAVClient(
            url=self.base_url,
            username=username,
            password=password,
            auth_type="basic",
            timeout=timeout,
            enable_rfc6764=False,
        )
        session = self.client.session
        session.hooks.setdefault("pre_request", []).append(self._guard.before_request)
        session.hooks.setdefault("response", []).extend([self._count, self._guard.on_response])
        if request_hook is not None:
            session.request = functools.partial(request_hook, session.request)
        self._home_url: str | None = None

    def _count(self, response, *args, **kwargs):
        self.requests += 1
        return response

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- requests ---------------------------------------------------------------------------------

    def _send(self, method: str, url: str, body: str = "", headers: dict[str, str] | None = None,
              ok: tuple[int, ...] = (200, 201, 204, 207)):
        """One request; a status outside `ok` raises the matching StoreError."""
        with translate_errors():
            response = self.client.request(url, method, body, headers or {})
        if response.status not in ok:
            raise from_status(response.status, url, getattr(response, "_raw", None))
        return response

    def _propfind(self, url: str, body: str, depth: int) -> etree._Element | None:
        with translate_errors():
            response = self.client.propfind(url, props=body, depth=depth)
        if response.status not in (200, 207):
            raise from_status(response.status, url, getattr(response, "_raw", None))
        return response.tree

    def _propfind_tree(self, url: str, body: str, depth: int) -> etree._Element:
        tree = self._propfind(url, body, depth)
        if tree is None:
            raise MalformedResponse(url=url)
        return tree

    # --- discovery --------------------------------------------------------------------------------

    def home_url(self) -> str:
        """principal → calendar home (on iCloud an absolute URL on a pNN-caldav partition host)."""
        if self._home_url is None:
            tree = self._propfind_tree(self.base_url, davxml.PROPFIND_PRINCIPAL, 0)
            principal = davxml.href_prop(tree, "d:current-user-principal", self.base_url)
            if principal is None:
                raise MalformedResponse("The server did not say which calendars belong to this account.")
            tree = self._propfind_tree(principal, davxml.PROPFIND_HOME_SET, 0)
            home = davxml.href_prop(tree, "c:calendar-home-set", principal)
            if home is None:
                raise MalformedResponse("The server did not say where this account's calendars live.")
            self._follow_host(home)
            self._home_url = home
        return self._home_url

    def _follow_host(self, url: str) -> None:
        """iCloud serves an account from its partition host (pNN-caldav), named in the calendar home.

        caldav refuses a URL on a host it was not told about, so move the client there and keep the
        old host as an alias (iCloud may still give hrefs on caldav.icloud.com); see docs/icloud.md.
        Only to an allowed host (the configured one or CALDAV_ALLOWED_HOSTS): else HostNotAllowed.
        """
        self._guard.check(url)
        parts = urlsplit(url)
        current = self.client.url
        if parts.hostname and parts.hostname != current.hostname and parts.hostname not in current.host_aliases:
            self.client.url = current.relocate(f"{parts.scheme}://{parts.netloc}/")

    def list_calendars(self) -> list[CalendarInfo]:
        """The account's event calendars (task-only lists, inbox, outbox and the home skipped)."""
        home = self.home_url()
        found = []
        for info in davxml.calendars_in(self._propfind_tree(home, davxml.PROPFIND_CALENDARS, 1), home):
            if not self._guard.allowed(info.url):
                log.warning("calendar list: skipped a calendar on a host not allowed: %s", urlsplit(info.url).netloc)
                continue
            found.append(info)
        return found

    def calendar(self, url: str) -> caldav.Calendar:
        self._follow_host(url)
        return caldav.Calendar(client=self.client, url=url)

    # --- incremental sync -------------------------------------------------------------------------

    def sync_collection(self, url: str, token: str | None) -> Listing:
        """RFC 6578 sync-collection: one REPORT. No token = full listing. Refused token → InvalidSyncToken/Forbidden."""
        body = davxml.SYNC_COLLECTION.format(token=escape_xml(token or ""))
        response = self._send("REPORT", url, body, XML_HEADERS, ok=(207,))
        return davxml.listing_in(response.tree, url, full=not token)

    def list_etags(self, url: str) -> Listing:
        """Every object's href and etag with one PROPFIND Depth 1 (the fallback when sync tokens fail)."""
        return davxml.etags_in(self._propfind(url, davxml.PROPFIND_ETAGS, 1), url)

    def multiget(self, url: str, hrefs: list[str]) -> Fetched:
        """calendar-data of many objects with ONE calendar-multiget REPORT (see `multiget_batches`).

        A refusal that says the request was too large raises RequestTooLarge.
        """
        if not hrefs:
            return Fetched({}, [])
        body = MULTIGET.format(hrefs="".join(href_element(h) for h in hrefs))
        response = self._send("REPORT", url, body, XML_HEADERS, ok=(207, 400, 403, 413))
        if response.status != 207:
            raw = getattr(response, "_raw", None) or b""
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            if response.status in (400, 413) or "number-of-matches-within-limits" in text:
                raise RequestTooLarge(status=response.status, url=url)
            raise from_status(response.status, url, raw)
        return davxml.multiget_in(response.tree, url, hrefs)

    def multiget_batches(self, url: str, hrefs: list[str], *, max_hrefs: int = MULTIGET_MAX_HREFS,
                         max_bytes: int = MULTIGET_MAX_BYTES) -> Iterator[Fetched]:
        """Fetch many objects with as few calendar-multigets as the limits allow, one Fetched per request.

        Servers refuse a multiget that is too large (Radicale: 400 past 10,000 VEVENTs in one answer;
        Apple's server: 403 past 5,000 matches) or answer part of it (Zoho drops all past 1,000). So a
        request holds at most `max_hrefs` hrefs and `max_bytes` of body; a refused request is asked
        again as halves (and later requests are no larger); an href the server did not answer at all
        is asked again in a later request while requests make progress. What stays unanswered is in
        `missing`, never taken as deleted.
        """
        pending = deque(hrefs)
        asked: dict[str, int] = {}
        limit = max(1, max_hrefs)
        while pending:
            batch: list[str] = []
            size = len(MULTIGET)
            while pending and len(batch) < limit:
                cost = len(href_element(pending[0]).encode())
                if batch and size + cost > max_bytes:
                    break
                batch.append(pending.popleft())
                size += cost
            try:
                fetched = self.multiget(url, batch)
            except RequestTooLarge:
                if len(batch) == 1:
                    raise
                limit = len(batch) // 2
                log.info("multiget of %d hrefs refused as too large; asking for %d at a time", len(batch), limit)
                pending.extendleft(reversed(batch))
                continue
            missing = [h for h in fetched.missing if h not in fetched.unanswered]
            for href in fetched.unanswered:
                asked[href] = asked.get(href, 0) + 1
                if fetched.found and asked[href] < MULTIGET_ASKS:
                    pending.append(href)
                else:
                    missing.append(href)
            given_up = set(missing)
            yield Fetched(fetched.found, missing, [h for h in fetched.unanswered if h in given_up])

    # --- objects and writes -----------------------------------------------------------------------

    def fetch(self, href: str) -> tuple[str | None, str] | None:
        """GET one object: (etag, text), or None when it does not exist. Used to look before re-writing."""
        response = self._send("GET", href, ok=(200, 404))
        if response.status == 404:
            return None
        raw = response._raw
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        return response.headers.get("ETag"), text

    def _etag_after_write(self, href: str, response) -> str | None:
        etag = response.headers.get("ETag")
        if etag:
            return etag
        # Some servers answer a PUT without an ETag; read it back (one PROPFIND) so If-Match works later.
        with translate_errors():
            found = self.client.propfind(href, props=davxml.PROPFIND_ETAGS, depth=0)
        if found.status not in (200, 207) or found.tree is None:
            return None
        for item in found.tree.findall("d:response", davxml.NS):
            return davxml.etag_of_response(item)
        return None

    def put_new(self, href: str, ics: str) -> str | None:
        """Create an object; never overwrites (If-None-Match: *). 412 → PreconditionFailed (it exists)."""
        response = self._send("PUT", href, ics, {"If-None-Match": "*", "Content-Type": ICS_TYPE}, ok=(200, 201, 204))
        return self._etag_after_write(href, response)

    def put_update(self, href: str, ics: str, etag: str) -> str | None:
        """Replace an object only if it still has `etag` (If-Match; never `*`, which iCloud inverts)."""
        response = self._send("PUT", href, ics, {"If-Match": etag, "Content-Type": ICS_TYPE}, ok=(200, 201, 204))
        return self._etag_after_write(href, response)

    def delete_object(self, href: str, etag: str | None) -> bool:
        """DELETE with If-Match when the etag is known; False when it was already gone."""
        headers = {"If-Match": etag} if etag else {}
        response = self._send("DELETE", href, headers=headers, ok=(200, 204, 404))
        return response.status != 404
