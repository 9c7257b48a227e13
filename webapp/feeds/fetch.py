"""Fetching a feed: one conditional GET, bounded in size and time, to addresses checked at every hop.

Each hop (the address, then each redirect) is resolved here, every address the name gives is checked
(`address.resolve`), and the connection goes to a checked address with the host name kept for the Host
header, TLS's SNI and the certificate check: a DNS answer that changes between the check and the
connection (a rebind) never reaches another address. Redirects are followed by hand, each re-checked.
No library exception text is logged or shown: it can hold the address, which is a secret.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from .address import DEFAULT_PORTS, resolve
from .errors import HttpError, NotICalendar, RateLimited, TimedOut, TooLarge, Unreachable

log = logging.getLogger(__name__)
# urllib3 logs each request line (path and query: the feed's secret) at DEBUG, whoever configures logging.
logging.getLogger("urllib3.connectionpool").setLevel(logging.INFO)

MAX_REDIRECTS = 5
CHUNK = 16 * 1024
USER_AGENT = "Slotwise (subscribed calendar)"


@dataclass
class Answer:
    """What one fetch gave: a body, or `not_modified` (304) for an unchanged feed; its validators."""

    not_modified: bool
    text: str
    etag: str | None
    last_modified: str | None


class _PinnedHttps(HTTPAdapter):
    """https to a checked IP address: SNI and the certificate are checked against the host name."""

    def __init__(self, hostname: str):
        self._hostname = hostname
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["server_hostname"] = self._hostname
        kwargs["assert_hostname"] = self._hostname
        super().init_poolmanager(*args, **kwargs)


class Fetcher:
    """Fetches feeds with one app's settings; `requests` counts every HTTP request sent (redirects too).

    `verify` is requests' `verify` (True: the system's CA bundle; tests give their own CA's file).
    """

    def __init__(self, *, timeout: float, max_bytes: int, allow_private: bool, verify: bool | str = True):
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.allow_private = allow_private
        self.verify = verify
        self.requests = 0

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Answer:
        """Fetch `url` (already normalised), conditionally when validators are given; raises FeedError."""
        deadline = time.monotonic() + self.timeout
        headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        first_host = urlsplit(url).hostname
        for _ in range(MAX_REDIRECTS + 1):
            response = self._hop(url, headers, deadline, send_auth=urlsplit(url).hostname == first_host)
            try:
                if response.is_redirect and response.headers.get("Location"):
                    url = urljoin(url, response.headers["Location"])
                    if urlsplit(url).scheme not in DEFAULT_PORTS:
                        raise Unreachable("The feed's server redirected to an address Slotwise cannot fetch.")
                    continue
                return self._answer(response, deadline)
            finally:
                response.close()
        raise Unreachable("The feed's server redirected too many times.")

    def _hop(self, url: str, headers: dict[str, str], deadline: float, *, send_auth: bool) -> requests.Response:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or DEFAULT_PORTS[parts.scheme]
        addresses = resolve(host, port, allow_private=self.allow_private)
        auth = (parts.username or "", parts.password or "") if send_auth and parts.username else None
        netloc = host if ":" not in host else f"[{host}]"
        if parts.port:
            netloc = f"{netloc}:{parts.port}"
        for address in addresses:
            pinned = address if ":" not in address else f"[{address}]"
            target = urlunsplit((parts.scheme, f"{pinned}:{port}", parts.path or "/", parts.query, ""))
            with requests.Session() as session:
                session.trust_env = False  # no proxy or .netrc from the environment: the pinned address is used
                if parts.scheme == "https":
                    session.mount("https://", _PinnedHttps(host))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimedOut(self._timed_out())
                try:
                    self.requests += 1
                    return session.get(target, headers={**headers, "Host": netloc}, auth=auth, stream=True,
                                       allow_redirects=False, timeout=(remaining, remaining), verify=self.verify)
                except requests.exceptions.Timeout:
                    raise TimedOut(self._timed_out()) from None
                except requests.exceptions.SSLError:
                    log.info("feed fetch: TLS failed at %s", host)
                    raise Unreachable("The feed's server did not offer a valid https certificate for its name. "
                                      "It will be tried again.") from None
                except requests.exceptions.ConnectionError as exc:  # try the next checked address, if any
                    log.info("feed fetch: no connection to %s (%s)", host, type(exc).__name__)
                except requests.exceptions.RequestException as exc:  # its text may hold the address
                    log.info("feed fetch: request to %s failed (%s)", host, type(exc).__name__)
                    raise Unreachable() from None
        raise Unreachable()

    def _timed_out(self) -> str:
        return (f"The feed's server did not answer within {self.timeout:g} seconds. Nothing was lost; "
                "it will be tried again.")

    def _answer(self, response: requests.Response, deadline: float) -> Answer:
        status = response.status_code
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        if status == 304:
            return Answer(True, "", etag, last_modified)
        if status != 200:
            raise _status_error(response)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise TooLarge(self._too_large())
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(chunk_size=CHUNK):
                size += len(chunk)  # decoded bytes: a compressed feed is measured as it unpacks
                if size > self.max_bytes:
                    raise TooLarge(self._too_large())
                if time.monotonic() > deadline:
                    raise TimedOut(self._timed_out())
                chunks.append(chunk)
        except requests.exceptions.Timeout:
            raise TimedOut(self._timed_out()) from None
        except requests.exceptions.RequestException as exc:
            log.info("feed fetch: the answer broke off (%s)", type(exc).__name__)
            raise Unreachable("The feed's answer broke off. Nothing was lost; it will be tried again.") from None
        text = _decode(b"".join(chunks), response.headers.get("Content-Type", ""))
        _check_icalendar(text, response.headers.get("Content-Type", ""))
        return Answer(False, text, etag, last_modified)

    def _too_large(self) -> str:
        return (f"The feed is larger than {self.max_bytes / 1_000_000:g} MB, the most Slotwise reads "
                "(FEED_MAX_BYTES); nothing of it was used.")


def _status_error(response: requests.Response) -> HttpError:
    status = response.status_code
    if status == 429 or (status == 503 and response.headers.get("Retry-After")):
        try:
            wait = float(response.headers.get("Retry-After", ""))
        except ValueError:
            wait = None
        return RateLimited(retry_after=wait)
    if status in (401, 403):
        return HttpError(f"The feed's server refused access ({status}). The link may have been revoked: "
                         "ask for a new one, then remove this calendar and add it again.")
    if status in (404, 410):
        return HttpError(f"The feed's server answered {status} (not found): the calendar was unpublished or "
                         "the address is wrong.")
    if status >= 500:
        return HttpError(f"The feed's server answered with a server error ({status}). Nothing was lost; "
                         "it will be tried again.")
    return HttpError(f"The feed's server answered {status} instead of the calendar.")


def _decode(body: bytes, content_type: str) -> str:
    """The feed's text: the charset the server names, else UTF-8 (iCalendar's default, RFC 5545 §3.1.4)."""
    charset = "utf-8"
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    try:
        return body.decode(charset, "replace")
    except LookupError:
        return body.decode("utf-8", "replace")


def _check_icalendar(text: str, content_type: str) -> None:
    start = text.lstrip("\ufeff \t\r\n")[:15].upper()
    if start.startswith("BEGIN:VCALENDAR"):
        return
    if "html" in content_type.lower() or start.startswith("<"):
        raise NotICalendar("The address gives a web page, not a calendar feed: copy the calendar's "
                           "subscription link (it often ends in .ics) instead.")
    raise NotICalendar("The address does not give an iCalendar feed (it should start with BEGIN:VCALENDAR).")
