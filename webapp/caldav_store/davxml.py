"""WebDAV/CalDAV XML: the request bodies the Store sends, the readers of the answers, one spelling per href.

Hand-written REPORT/PROPFIND bodies: each is exactly one request, so an unchanged calendar costs one
sync-collection REPORT and every change set one calendar-multiget (caldav's `sync()` and
`load_objects=True` do one GET per object). No network here: trees in, our dataclasses out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from lxml import etree

from ..cleaning import clean_color
from .errors import MalformedResponse

NS = {
    "d": "DAV:",
    "c": "urn:ietf:params:xml:ns:caldav",
    "cs": "http://calendarserver.org/ns/",
    "ical": "http://apple.com/ns/ical/",
}

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

SYNC_COLLECTION = """<?xml version="1.0" encoding="utf-8"?>
<d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level>
<d:prop><d:getetag/></d:prop></d:sync-collection>"""

PROPFIND_ETAGS = """<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:getetag/></d:prop></d:propfind>"""

MULTIGET = """<?xml version="1.0" encoding="utf-8"?>
<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
<d:prop><d:getetag/><c:calendar-data/></d:prop>{hrefs}</c:calendar-multiget>"""


# --- hrefs: servers differ on percent-encoding (`@` or `%40`) and on absolute or relative hrefs ---

HREF_SAFE = "/@:!$&'()*+,;=~"  # left as they are in a path; everything else is percent-encoded


def canonical_href(base: str, href: str) -> str:
    """One spelling per object: absolute, percent-encoding normalised (servers differ on `@`)."""
    if href.startswith("/") and not href.startswith("//") and not any(c in href for c in "?#") and "/." not in href:
        # The usual answer, an absolute path: the same result as below without a full URL join.
        return _origin(base) + quote(unquote(href), safe=HREF_SAFE)
    parts = urlsplit(urljoin(base, href))
    return urlunsplit((parts.scheme, parts.netloc, quote(unquote(parts.path), safe=HREF_SAFE), "", ""))


@lru_cache(maxsize=64)
def _origin(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def collection_key(url: str) -> str:
    """The collection's own canonical URL, to recognise it when a server lists it among its members."""
    return canonical_href(url, url).rstrip("/")


@dataclass(frozen=True)
class CalendarInfo:
    url: str
    name: str
    color: str | None
    ctag: str | None
    sync_token: str | None


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


def escape_xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def href_element(href: str) -> str:
    return f"<d:href>{escape_xml(urlsplit(href).path)}</d:href>"


def _text(node: etree._Element | None) -> str | None:
    if node is None:
        return None
    text = "".join(node.itertext()).strip()
    return text or None


def _status_code(text: str | None) -> int | None:
    parts = (text or "").split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def _responses(tree: etree._Element | None, url: str) -> list[etree._Element]:
    if tree is None:
        raise MalformedResponse(url=url)
    return tree.findall("d:response", NS)


def etag_of_response(item: etree._Element) -> str | None:
    for propstat in item.findall("d:propstat", NS):
        if _status_code(_text(propstat.find("d:status", NS))) == 200:
            etag = _text(propstat.find("d:prop/d:getetag", NS))
            if etag:
                return etag
    return None


def href_prop(tree: etree._Element, path: str, base: str) -> str | None:
    """The absolute URL in `<path><d:href>` (current-user-principal, calendar-home-set)."""
    href = _text(tree.find(f".//{path}/d:href", NS))
    return urljoin(base, href) if href else None


def calendars_in(tree: etree._Element, home: str) -> list[CalendarInfo]:
    """The event calendars of a calendar home's PROPFIND (task-only lists, inbox, outbox and the home skipped)."""
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
        found.append(
            CalendarInfo(
                url=urljoin(home, href),
                # cut to their columns' lengths: PostgreSQL refuses a longer value, SQLite would keep it
                name=(_text(prop("d:displayname")) or href.rstrip("/").rsplit("/", 1)[-1])[:255],
                color=clean_color(_text(prop("ical:calendar-color"))),
                ctag=(_text(prop("cs:getctag")) or "")[:512] or None,
                sync_token=_text(prop("d:sync-token")),
            )
        )
    return found


def listing_in(tree: etree._Element | None, url: str, *, full: bool) -> Listing:
    """A sync-collection answer: changed members with their etags, deleted ones (404), the new token."""
    changed: dict[str, str | None] = {}
    deleted: list[str] = []
    itself = collection_key(url)
    for item in _responses(tree, url):
        href = _text(item.find("d:href", NS))
        if not href:
            continue
        href = canonical_href(url, href)
        if href.rstrip("/") == itself:
            continue  # iCloud lists the collection itself as a member
        if _status_code(_text(item.find("d:status", NS))) == 404:
            deleted.append(href)
            continue
        changed[href] = etag_of_response(item)
    return Listing(token=_text(tree.find("d:sync-token", NS)), changed=changed, deleted=deleted, full=full)


def etags_in(tree: etree._Element | None, url: str) -> Listing:
    """A PROPFIND Depth 1 answer: every member object's etag (sub-collections and the collection skipped)."""
    changed: dict[str, str | None] = {}
    itself = collection_key(url)
    for item in _responses(tree, url):
        href = _text(item.find("d:href", NS))
        if not href or canonical_href(url, href).rstrip("/") == itself:
            continue
        rtype = item.find(".//d:resourcetype", NS)
        if rtype is not None and rtype.find("d:collection", NS) is not None:
            continue
        changed[canonical_href(url, href)] = etag_of_response(item)
    return Listing(token=None, changed=changed, deleted=[], full=True)


def multiget_in(tree: etree._Element | None, url: str, hrefs: list[str]) -> Fetched:
    """A calendar-multiget answer: etag and data of each object read, and which of `hrefs` were not."""
    found: dict[str, tuple[str | None, str]] = {}
    answered: set[str] = set()
    for item in _responses(tree, url):
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
