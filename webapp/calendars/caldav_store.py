"""The only module that talks CalDAV: connection, discovery, listing, and errors in our own words.

Every failure leaves this module as a `StoreError` subclass whose message a user can act on; the
library's `caldav.lib.error.*` and the network's OSError/niquests family never escape.
"""
from __future__ import annotations

import contextlib
import fnmatch
import logging
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

import caldav
import niquests
from caldav.lib import error as caldav_error
from lxml import etree

from ..cleaning import clean_color

log = logging.getLogger(__name__)

NS = {
    "d": "DAV:",
    "c": "urn:ietf:params:xml:ns:caldav",
    "cs": "http://calendarserver.org/ns/",
    "ical": "http://apple.com/ns/ical/",
}

# One calendar-multiget at most: 1,000 hrefs (Zoho's cap) and 512 KB of body; smaller when the server
# refuses (see Store.multiget_batches). An unanswered href is asked at most MULTIGET_ASKS times a sync.
MULTIGET_MAX_HREFS = 1000
MULTIGET_MAX_BYTES = 512 * 1024
MULTIGET_ASKS = 3


# --- errors ------------------------------------------------------------------------------------


class StoreError(Exception):
    """A CalDAV operation failed; str(error) is safe to show to the user (never holds a secret)."""

    message = "The calendar server answered with an error."

    def __init__(self, message: str | None = None, *, status: int | None = None, url: str | None = None):
        super().__init__(message or self.message)
        self.status = status
        self.url = url


class BadCredentials(StoreError):
    message = "Apple did not accept this e-mail and app-specific password."


class Unreachable(StoreError):
    message = "iCloud could not be reached (no answer in time, or the connection broke). Nothing was lost; it will be tried again."


class RateLimited(StoreError):
    message = "iCloud asked Slotwise to slow down; it will try again later."

    def __init__(self, message: str | None = None, *, retry_after: float | None = None, **kw):
        if message is None and retry_after:
            message = f"iCloud asked Slotwise to slow down; it will try again in {retry_after:.0f} seconds."
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(StoreError):
    message = "iCloud answered with a server error. Nothing was lost; it will be tried again."


class Forbidden(StoreError):
    """403: not a credentials problem (iCloud uses it for a UID already in another calendar)."""

    message = "iCloud refused the request (403 Forbidden); the password is fine."


class InvalidSyncToken(Forbidden):
    message = "The server no longer accepts the saved sync token."


class NotFound(StoreError):
    message = "The calendar or event no longer exists on the server."


class PreconditionFailed(StoreError):
    message = "The event changed on the server since it was last read."


class EtagMismatch(PreconditionFailed):
    pass


class RequestTooLarge(StoreError):
    message = "The calendar server refused a request for too many events at once."


class MalformedResponse(StoreError):
    message = "iCloud sent a reply that could not be read. Nothing was changed; it will be tried again."


class ResponseTooLarge(StoreError):
    """A reply past CALDAV_MAX_RESPONSE_BYTES; reading stopped there."""

    def __init__(self, limit: int, **kw):
        super().__init__(
            f"The calendar server sent a reply larger than {_size_words(limit)}, so Slotwise stopped reading it "
            "and changed nothing. If the calendar really holds that much, remove old events from it in the "
            "Calendar app, or ask whoever runs Slotwise to raise CALDAV_MAX_RESPONSE_BYTES.",
            **kw,
        )
        self.limit = limit


class HostNotAllowed(StoreError):
    """The server pointed at a host outside CALDAV_ALLOWED_HOSTS (a link, or a redirect)."""

    def __init__(self, url: str, *, redirect: bool = False):
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"  # never the userinfo of a URL
        how = "redirected Slotwise" if redirect else "pointed Slotwise"
        super().__init__(
            f"The calendar server {how} to another host ({host}); Slotwise did not follow it and sent no password "
            "there. If that host is really part of your calendar service, ask whoever runs Slotwise to add it to "
            "CALDAV_ALLOWED_HOSTS.",
            url=url,
        )


def _size_words(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    if size >= 1024:
        return f"{size / 1024:g} KB"
    return f"{size} bytes"


def _from_status(status: int | None, url: str | None, body: bytes | str | None = None) -> StoreError:
    if status == 401:
        return BadCredentials(status=status, url=url)
    if status == 403:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
        if "valid-sync-token" in text:
            return InvalidSyncToken(status=status, url=url)
        return Forbidden(status=status, url=url)
    if status == 404:
        return NotFound(status=status, url=url)
    if status == 412:
        return EtagMismatch(status=status, url=url)
    if status == 429:  # a 503 asks to slow down only with Retry-After, which caldav raises itself
        return RateLimited(status=status, url=url)
    if status is not None and status >= 500:
        return ServerError(f"iCloud answered {status}. Nothing was lost; it will be tried again.", status=status, url=url)
    return StoreError(f"The calendar server answered {status}.", status=status, url=url)


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """Turn library and network failures into StoreError subclasses."""
    try:
        yield
    except StoreError:
        raise
    except caldav_error.RateLimitError as exc:
        raise RateLimited(status=exc.status, url=exc.url, retry_after=exc.retry_after_seconds) from None
    except caldav_error.ETagMismatchError as exc:
        raise EtagMismatch(status=412, url=exc.url) from None
    except caldav_error.NotFoundError as exc:
        raise NotFound(status=404, url=exc.url) from None
    except caldav_error.DAVError as exc:
        status = exc.status
        if status is None and isinstance(exc, caldav_error.AuthorizationError):
            status = 401
        if isinstance(exc, caldav_error.AuthorizationError) and status == 403 and (
            "{DAV:}valid-sync-token" in exc.preconditions
        ):
            raise InvalidSyncToken(status=403, url=exc.url) from None
        raise _from_status(status, exc.url, exc.body) from None
    except (niquests.exceptions.RequestException, OSError) as exc:
        log.info("calendar server unreachable: %s", type(exc).__name__)
        raise Unreachable() from None
    except etree.XMLSyntaxError:
        raise MalformedResponse() from None


# --- where credentials may go, and how much may come back ---------------------------------------

DEFAULT_ALLOWED_HOSTS = "*.icloud.com"
DEFAULT_MAX_RESPONSE_BYTES = 50 * 1024 * 1024
_DEFAULT_PORTS = {"https": 443, "http": 80}


@dataclass(frozen=True)
class HostRule:
    """One CALDAV_ALLOWED_HOSTS entry: a host name pattern (fnmatch, e.g. `*.icloud.com`) on one scheme and port."""

    scheme: str
    host: str
    port: int

    def admits(self, url: str) -> bool:
        parts = urlsplit(url)
        return (
            parts.scheme.lower() == self.scheme
            and fnmatch.fnmatchcase((parts.hostname or "").lower(), self.host)
            and _port(parts) == self.port
        )


def _port(parts) -> int | None:
    try:
        return parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:  # a port that is not a number
        return None


def host_rules(setting: str | Iterable[str]) -> tuple[HostRule, ...]:
    """Parse CALDAV_ALLOWED_HOSTS: entries split by commas or spaces.

    `*.icloud.com` or `host:port` admits https only (port 443 unless given); `http://host:port` states
    the scheme, for a server on a private network or a test rig. Raises ValueError on a bad entry.
    """
    entries = setting.replace(",", " ").split() if isinstance(setting, str) else list(setting)
    rules = []
    for entry in entries:
        parts = urlsplit(entry if "://" in entry else f"https://{entry}")
        scheme = parts.scheme.lower()
        port = _port(parts)
        if scheme not in _DEFAULT_PORTS or not parts.hostname or port is None or parts.path not in ("", "/"):
            raise ValueError(f"CALDAV_ALLOWED_HOSTS: {entry!r} is not a host name pattern such as *.icloud.com "
                             "or https://calendar.example.org:8443")
        rules.append(HostRule(scheme, parts.hostname.lower(), port))
    return tuple(rules)


class _Guard:
    """niquests session hooks: refuse requests to hosts not allowed, cross-host redirects and oversized replies.

    Hooks run for every request the session sends (caldav's and ours) and for every redirect hop, before
    the body is read (niquests reads it after the `response` hooks unless streaming), so a refused host
    gets no connection at all and an oversized reply is dropped once `limit` bytes have arrived.
    """

    def __init__(self, configured_url: str, rules: tuple[HostRule, ...], limit: int):
        own = urlsplit(configured_url)
        # The configured server keeps its own scheme (http on loopback in tests, https for iCloud).
        self.rules = (HostRule(own.scheme.lower(), (own.hostname or "").lower(), _port(own) or 0), *rules)
        self.limit = limit

    def allowed(self, url: str) -> bool:
        return any(rule.admits(url) for rule in self.rules)

    def check(self, url: str) -> None:
        if not self.allowed(url):
            raise HostNotAllowed(url)

    def before_request(self, request, *args, **kwargs):
        self.check(request.url)
        return request

    def on_response(self, response, *args, **kwargs):
        if response.is_redirect:
            target = urljoin(response.url or "", response.headers.get("Location", ""))
            source, dest = urlsplit(response.url or ""), urlsplit(target)
            if (dest.scheme, dest.hostname, _port(dest)) != (source.scheme, source.hostname, _port(source)):
                response.close()
                raise HostNotAllowed(target, redirect=True)
        if response.raw is None:
            return response
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.limit:
            response.close()
            raise ResponseTooLarge(self.limit, url=response.url)
        chunks, size = [], 0
        for chunk in response.iter_content(chunk_size=64 * 1024):
            size += len(chunk)  # decoded bytes: a compressed reply is measured as it unpacks
            if size > self.limit:
                response.close()
                raise ResponseTooLarge(self.limit, url=response.url)
            chunks.append(chunk)
        response._content = b"".join(chunks)  # what niquests would have read itself, now bounded
        return response


# --- discovery and listing ---------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarInfo:
    url: str
    name: str
    color: str | None
    ctag: str | None
    sync_token: str | None


PROPFIND_PRINCIPAL = """<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>"""

PROPFIND_HOME_SET = """<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
<d:prop><c:calendar-home-set/></d:prop></d:propfind>"""

PROPFIND_CALENDARS = """<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/"
 xmlns:ical="http://apple.com/ns/ical/">
<d:prop><d:resourcetype/><d:displayname/><c:supported-calendar-component-set/><cs:getctag/><d:sync-token/>
<ical:calendar-color/></d:prop></d:propfind>"""


def _text(node: etree._Element | None) -> str | None:
    if node is None:
        return None
    text = "".join(node.itertext()).strip()
    return text or None


class Store:
    """One authenticated connection to an account's CalDAV server.

    `requests` counts every HTTP request made, for SyncRun records.
    """

    def __init__(self, url: str, username: str, password: str, *, timeout: float = 20,
                 allowed_hosts: str | Iterable[str] = DEFAULT_ALLOWED_HOSTS,
                 max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES):
        self.base_url = url.rstrip("/") + "/"
        self.requests = 0
        self._guard = _Guard(self.base_url, host_rules(allowed_hosts), max_response_bytes)
        self.client = caldav.DAVClient(
            url=self.base_url,
            username=username,
            password=password,
            auth_type="basic",
            timeout=timeout,
            enable_rfc6764=False,
        )
        hooks = self.client.session.hooks
        hooks.setdefault("pre_request", []).append(self._guard.before_request)
        hooks.setdefault("response", []).extend([self._count, self._guard.on_response])
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

    def _propfind(self, url: str, body: str, depth: int) -> etree._Element:
        with translate_errors():
            response = self.client.propfind(url, props=body, depth=depth)
        if response.status not in (200, 207):
            raise _from_status(response.status, url, getattr(response, "_raw", None))
        if response.tree is None:
            raise MalformedResponse(url=url)
        return response.tree

    def _href_prop(self, tree: etree._Element, path: str, base: str) -> str | None:
        node = tree.find(f".//{path}/d:href", NS)
        href = _text(node)
        return urljoin(base, href) if href else None

    def home_url(self) -> str:
        """principal → calendar home (on iCloud an absolute URL on a pNN-caldav partition host)."""
        if self._home_url is None:
            tree = self._propfind(self.base_url, PROPFIND_PRINCIPAL, 0)
            principal = self._href_prop(tree, "d:current-user-principal", self.base_url)
            if principal is None:
                raise MalformedResponse("The server did not say which calendars belong to this account.")
            tree = self._propfind(principal, PROPFIND_HOME_SET, 0)
            home = self._href_prop(tree, "c:calendar-home-set", principal)
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
        tree = self._propfind(home, PROPFIND_CALENDARS, 1)
        found: list[CalendarInfo] = []
        for response in tree.findall("d:response", NS):
            href = _text(response.find("d:href", NS))
            if not href:
                continue
            props = [
                ps.find("d:prop", NS)
                for ps in response.findall("d:propstat", NS)
                if "200" in (_text(ps.find("d:status", NS)) or "")
            ]
            props = [p for p in props if p is not None]

            def prop(path: str) -> etree._Element | None:
                for p in props:
                    node = p.find(path, NS)
                    if node is not None:
                        return node
                return None

            rtype = prop("d:resourcetype")
            if rtype is None or rtype.find("c:calendar", NS) is None:
                continue
            comps = prop("c:supported-calendar-component-set")
            if comps is not None:
                names = {c.get("name", "").upper() for c in comps.findall("c:comp", NS)}
                if names and "VEVENT" not in names:
                    continue
            url = urljoin(home, href)
            if not self._guard.allowed(url):
                log.warning("calendar list: skipped a calendar on a host not allowed: %s", urlsplit(url).netloc)
                continue
            name = _text(prop("d:displayname")) or href.rstrip("/").rsplit("/", 1)[-1]
            found.append(
                CalendarInfo(
                    url=url,
                    name=name,
                    color=clean_color(_text(prop("ical:calendar-color"))),
                    ctag=_text(prop("cs:getctag")),
                    sync_token=_text(prop("d:sync-token")),
                )
            )
        return found

    def calendar(self, url: str) -> caldav.Calendar:
        self._follow_host(url)
        return caldav.Calendar(client=self.client, url=url)

    # --- incremental sync and writes (sync engine; helpers below the class) ---------------------
    # Hand-written REPORT/PROPFIND bodies: each is exactly one request, so an unchanged calendar costs
    # one sync-collection REPORT and every change set one calendar-multiget (caldav's `sync()` and
    # `load_objects=True` do one GET per object).

    def sync_collection(self, url: str, token: str | None) -> Listing:
        """RFC 6578 sync-collection: one REPORT. No token = full listing. Refused token → InvalidSyncToken/Forbidden."""
        body = SYNC_COLLECTION.format(token=escape_xml(token or ""))
        response = _send(self, "REPORT", url, body, {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"},
                         ok=(207,))
        changed: dict[str, str | None] = {}
        deleted: list[str] = []
        itself = _collection_key(url)
        for item in _responses(response.tree, url):
            href = _text(item.find("d:href", NS))
            if not href:
                continue
            href = canonical_href(url, href)
            if href.rstrip("/") == itself:
                continue  # iCloud lists the collection itself as a member
            status = _status_code(_text(item.find("d:status", NS)))
            if status == 404:
                deleted.append(href)
                continue
            changed[href] = _etag_of_response(item)
        new_token = _text(response.tree.find("d:sync-token", NS))
        return Listing(token=new_token, changed=changed, deleted=deleted, full=not token)

    def list_etags(self, url: str) -> Listing:
        """Every object's href and etag with one PROPFIND Depth 1 (the fallback when sync tokens fail)."""
        with translate_errors():
            response = self.client.propfind(url, props=PROPFIND_ETAGS, depth=1)
        if response.status not in (200, 207):
            raise _from_status(response.status, url, getattr(response, "_raw", None))
        changed: dict[str, str | None] = {}
        itself = _collection_key(url)
        for item in _responses(response.tree, url):
            href = _text(item.find("d:href", NS))
            if not href or canonical_href(url, href).rstrip("/") == itself:
                continue
            rtype = item.find(".//d:resourcetype", NS)
            if rtype is not None and rtype.find("d:collection", NS) is not None:
                continue
            changed[canonical_href(url, href)] = _etag_of_response(item)
        return Listing(token=None, changed=changed, deleted=[], full=True)

    def multiget(self, url: str, hrefs: list[str]) -> Fetched:
        """calendar-data of many objects with ONE calendar-multiget REPORT (see `multiget_batches`).

        A refusal that says the request was too large raises RequestTooLarge.
        """
        if not hrefs:
            return Fetched({}, [])
        body = MULTIGET.format(hrefs="".join(_href_element(h) for h in hrefs))
        response = _send(self, "REPORT", url, body, {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"},
                         ok=(207, 400, 403, 413))
        if response.status != 207:
            raw = getattr(response, "_raw", None) or b""
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            if response.status in (400, 413) or "number-of-matches-within-limits" in text:
                raise RequestTooLarge(status=response.status, url=url)
            raise _from_status(response.status, url, raw)
        found: dict[str, tuple[str | None, str]] = {}
        answered: set[str] = set()
        for item in _responses(response.tree, url):
            href = _text(item.find("d:href", NS))
            if not href:
                continue
            href = canonical_href(url, href)
            answered.add(href)
            etag = data = None
            for propstat in item.iterfind("d:propstat", NS):  # one pass: etag and data of the 200 propstat
                if _status_code(_text(propstat.find("d:status", NS))) != 200:
                    continue
                prop = propstat.find("d:prop", NS)
                if prop is None:
                    continue
                etag = etag or _text(prop.find("d:getetag", NS))
                node = prop.find("c:calendar-data", NS)
                if node is not None and node.text:
                    data = node.text
            if data is not None:
                found[href] = (etag, data)
        return Fetched(found, [h for h in hrefs if h not in found], [h for h in hrefs if h not in answered])

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
                cost = len(_href_element(pending[0]).encode())
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

    def fetch(self, href: str) -> tuple[str | None, str] | None:
        """GET one object: (etag, text), or None when it does not exist. Used to look before re-writing."""
        response = _send(self, "GET", href, ok=(200, 404))
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
            found = self.client.propfind(href, props=PROPFIND_ETAGS, depth=0)
        if found.status not in (200, 207) or found.tree is None:
            return None
        for item in found.tree.findall("d:response", NS):
            return _etag_of_response(item)
        return None

    def put_new(self, href: str, ics: str) -> str | None:
        """Create an object; never overwrites (If-None-Match: *). 412 → PreconditionFailed (it exists)."""
        response = _send(self, "PUT", href, ics, {"If-None-Match": "*", "Content-Type": "text/calendar; charset=utf-8"},
                         ok=(200, 201, 204))
        return self._etag_after_write(href, response)

    def put_update(self, href: str, ics: str, etag: str) -> str | None:
        """Replace an object only if it still has `etag` (If-Match; never `*`, which iCloud inverts)."""
        response = _send(self, "PUT", href, ics, {"If-Match": etag, "Content-Type": "text/calendar; charset=utf-8"},
                         ok=(200, 201, 204))
        return self._etag_after_write(href, response)

    def delete_object(self, href: str, etag: str | None) -> bool:
        """DELETE with If-Match when the etag is known; False when it was already gone."""
        headers = {"If-Match": etag} if etag else {}
        response = _send(self, "DELETE", href, headers=headers, ok=(200, 204, 404))
        return response.status != 404


# --- sync engine helpers (used by the Store methods above) ------------------------------------


SYNC_COLLECTION = """<?xml version="1.0" encoding="utf-8"?>
<d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level>
<d:prop><d:getetag/></d:prop></d:sync-collection>"""

PROPFIND_ETAGS = """<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:getetag/></d:prop></d:propfind>"""

MULTIGET = """<?xml version="1.0" encoding="utf-8"?>
<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
<d:prop><d:getetag/><c:calendar-data/></d:prop>{hrefs}</c:calendar-multiget>"""

_HREF_SAFE = "/@:!$&'()*+,;=~"


def canonical_href(base: str, href: str) -> str:
    """One spelling per object: absolute, percent-encoding normalised (servers differ on `@`)."""
    if href.startswith("/") and not href.startswith("//") and not any(c in href for c in "?#") and "/." not in href:
        # The usual answer, an absolute path: the same result as below without a full URL join.
        return _origin(base) + quote(unquote(href), safe=_HREF_SAFE)
    parts = urlsplit(urljoin(base, href))
    return urlunsplit((parts.scheme, parts.netloc, quote(unquote(parts.path), safe=_HREF_SAFE), "", ""))


@lru_cache(maxsize=64)
def _origin(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def _collection_key(url: str) -> str:
    """The collection's own canonical URL, to recognise it when a server lists it among its members."""
    return canonical_href(url, url).rstrip("/")


def _status_code(text: str | None) -> int | None:
    parts = (text or "").split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


@dataclass
class Listing:
    """What a calendar holds or what changed in it: canonical href → etag, and deleted hrefs."""

    token: str | None
    changed: dict[str, str | None]
    deleted: list[str]
    full: bool  # True: `changed` is every object of the calendar


@dataclass
class Fetched:
    found: dict[str, tuple[str | None, str]]  # href → (etag, iCalendar text)
    missing: list[str]  # asked for and not read (gone since the listing, or never answered)
    unanswered: list[str] = field(default_factory=list)  # of `missing`, those the server said nothing about


def _href_element(href: str) -> str:
    return f"<d:href>{escape_xml(urlsplit(href).path)}</d:href>"


def _send(store: Store, method: str, url: str, body: str = "", headers: dict[str, str] | None = None,
          ok: tuple[int, ...] = (200, 201, 204, 207)):
    with translate_errors():
        response = store.client.request(url, method, body, headers or {})
    if response.status not in ok:
        raise _from_status(response.status, url, getattr(response, "_raw", None))
    return response


def _responses(tree: etree._Element | None, url: str) -> list[etree._Element]:
    if tree is None:
        raise MalformedResponse(url=url)
    return tree.findall("d:response", NS)


def _etag_of_response(item: etree._Element) -> str | None:
    for propstat in item.findall("d:propstat", NS):
        if _status_code(_text(propstat.find("d:status", NS))) == 200:
            etag = _text(propstat.find("d:prop/d:getetag", NS))
            if etag:
                return etag
    return None


def escape_xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
