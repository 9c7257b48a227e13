"""Where credentials may go, and how much may come back: CALDAV_ALLOWED_HOSTS and CALDAV_MAX_RESPONSE_BYTES."""
from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from .errors import HostNotAllowed, ResponseTooLarge


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


class Guard:
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
