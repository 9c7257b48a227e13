"""The only module that talks CalDAV: connection, discovery, listing, and errors in our own words.

Every failure leaves this module as a `StoreError` subclass whose message a user can act on; the
library's `caldav.lib.error.*` and the network's OSError/niquests family never escape.
"""
from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

import caldav
import niquests
from caldav.lib import error as caldav_error
from lxml import etree

log = logging.getLogger(__name__)

NS = {
    "d": "DAV:",
    "c": "urn:ietf:params:xml:ns:caldav",
    "cs": "http://calendarserver.org/ns/",
    "ical": "http://apple.com/ns/ical/",
}


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
    message = "iCloud could not be reached. Nothing was saved; try again in a moment."


class RateLimited(StoreError):
    message = "iCloud asked us to slow down."

    def __init__(self, message: str | None = None, *, retry_after: float | None = None, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(StoreError):
    message = "iCloud answered with a server error. Nothing was lost; it will be tried again."


class Forbidden(StoreError):
    """403: not a credentials problem (iCloud uses it for a UID already in another calendar)."""

    message = "iCloud refused this change."


class InvalidSyncToken(Forbidden):
    message = "The server no longer accepts the saved sync token."


class NotFound(StoreError):
    message = "The calendar or event no longer exists on the server."


class PreconditionFailed(StoreError):
    message = "The event changed on the server since it was last read."


class EtagMismatch(PreconditionFailed):
    pass


class MalformedResponse(StoreError):
    message = "iCloud sent a reply that could not be read. Nothing was changed; it will be tried again."


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


def normalise_color(value: str | None) -> str | None:
    """iCloud sends #RRGGBBAA; keep #RRGGBB, which every browser shows."""
    if not value:
        return None
    value = value.strip()
    if len(value) == 9 and value.startswith("#"):
        return value[:7]
    if len(value) in (4, 7) and value.startswith("#"):
        return value
    return None


def _text(node: etree._Element | None) -> str | None:
    if node is None:
        return None
    text = "".join(node.itertext()).strip()
    return text or None


class Store:
    """One authenticated connection to an account's CalDAV server.

    `requests` counts every HTTP request made, for SyncRun records.
    """

    def __init__(self, url: str, username: str, password: str, *, timeout: float = 20):
        self.base_url = url.rstrip("/") + "/"
        self.requests = 0
        self.client = caldav.DAVClient(
            url=self.base_url,
            username=username,
            password=password,
            auth_type="basic",
            timeout=timeout,
            enable_rfc6764=False,
        )
        self.client.session.hooks.setdefault("response", []).append(self._count)
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
            self._home_url = home
        return self._home_url

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
            name = _text(prop("d:displayname")) or href.rstrip("/").rsplit("/", 1)[-1]
            found.append(
                CalendarInfo(
                    url=url,
                    name=name,
                    color=normalise_color(_text(prop("ical:calendar-color"))),
                    ctag=_text(prop("cs:getctag")),
                    sync_token=_text(prop("d:sync-token")),
                )
            )
        return found

    def calendar(self, url: str) -> caldav.Calendar:
        return caldav.Calendar(client=self.client, url=url)
