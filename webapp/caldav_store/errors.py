"""The Store's errors: every library or network failure leaves the store package as one of these.

`str(error)` is words a user can act on and never holds a secret. `PreconditionFailed` → `EtagMismatch`
follows vdirsyncer's hierarchy; `translate_errors()` is the one place caldav's, niquests' and lxml's
exceptions are turned into ours.
"""
from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from urllib.parse import urlsplit

import niquests
from caldav.lib import error as caldav_error
from lxml import etree

log = logging.getLogger(__name__)


class StoreError(Exception):
    """A CalDAV operation failed; str(error) is safe to show to the user (never holds a secret).

    Each kind names its default words as a class keyword: `class NotFound(StoreError, message="…")`.
    """

    message = "The calendar server answered with an error."

    def __init_subclass__(cls, message: str = "", **kw):
        super().__init_subclass__(**kw)
        if message:
            cls.message = message

    def __init__(self, message: str | None = None, *, status: int | None = None, url: str | None = None):
        super().__init__(message or self.message)
        self.status = status
        self.url = url


class BadCredentials(StoreError, message="Apple did not accept this e-mail and app-specific password."):
    """401: a wrong or revoked app-specific password (resetting the Apple ID password revokes them all)."""


class Unreachable(StoreError, message="iCloud could not be reached (no answer in time, or the connection broke). "
                                      "Nothing was lost; it will be tried again."):
    """No answer within CALDAV_TIMEOUT_SECONDS, a refused or reset connection, a name that does not resolve."""


class RateLimited(StoreError, message="iCloud asked Slotwise to slow down; it will try again later."):
    """429, or 503 with Retry-After: the wait the server asked for, when it gave one Slotwise can read."""

    def __init__(self, message: str | None = None, *, retry_after: float | None = None, **kw):
        if message is None and retry_after:
            message = f"iCloud asked Slotwise to slow down; it will try again in {retry_after:.0f} seconds."
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(StoreError, message="iCloud answered with a server error. Nothing was lost; it will be tried again."):
    """5xx without Retry-After."""


class Forbidden(StoreError, message="iCloud refused the request (403 Forbidden); the password is fine."):
    """403: not a credentials problem (iCloud uses it for a UID already in another calendar)."""


class InvalidSyncToken(Forbidden, message="The server no longer accepts the saved sync token."):
    """403 with the valid-sync-token precondition: the next pull lists the calendar afresh."""


class NotFound(StoreError, message="The calendar or event no longer exists on the server."):
    """404: deleted on the server, or a calendar gone from the account."""


class PreconditionFailed(StoreError, message="The event changed on the server since it was last read."):
    """412: an If-Match or If-None-Match that did not hold."""


class EtagMismatch(PreconditionFailed):
    """412 on a write that named the etag Slotwise last saw."""


class RequestTooLarge(StoreError, message="The calendar server refused a request for too many events at once."):
    """400, 413 or Apple's number-of-matches 403 to a multiget: asked again in smaller batches."""


class MalformedResponse(StoreError, message="iCloud sent a reply that could not be read. Nothing was changed; "
                                            "it will be tried again."):
    """An answer whose XML or iCalendar could not be parsed."""


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


def from_status(status: int | None, url: str | None, body: bytes | str | None = None) -> StoreError:
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
        raise from_status(status, exc.url, exc.body) from None
    except (niquests.exceptions.RequestException, OSError) as exc:
        log.info("calendar server unreachable: %s", type(exc).__name__)
        raise Unreachable() from None
    except etree.XMLSyntaxError:
        raise MalformedResponse() from None
    except OverflowError:
        # caldav reads a 429/503's Retry-After with float(int(value)): hundreds of digits overflow there,
        # before any DAVError exists. It still means "slow down": the usual back-off applies.
        raise RateLimited() from None
