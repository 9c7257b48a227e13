"""A feed's address: what the owner may type, how it is shown back, and where it may be fetched from."""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

from .errors import Refused, Unreachable

MAX_URL_LENGTH = 2048
# webcal:// (and webcals://) is what calendar apps hand out for a subscription: fetched over https.
_SCHEMES = {"https": "https", "http": "http", "webcal": "https", "webcals": "https"}
DEFAULT_PORTS = {"https": 443, "http": 80}

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressInvalid(ValueError):
    """What was typed is not a feed address Slotwise can fetch; str() says why."""


def normalise(raw: str) -> str:
    """The address to fetch: `webcal://` becomes `https://`; raises AddressInvalid with words."""
    text = (raw or "").strip()
    if not text:
        raise AddressInvalid("Enter the address (URL) of the calendar feed.")
    if len(text) > MAX_URL_LENGTH or any(c.isspace() for c in text):
        raise AddressInvalid("This is not a feed address: it is too long or holds spaces.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise AddressInvalid("This address cannot be read; copy the calendar's link again.") from None
    scheme = _SCHEMES.get(parts.scheme.lower())
    if scheme is None:
        raise AddressInvalid("The address must start with https://, http:// or webcal://.")
    if not parts.hostname:
        raise AddressInvalid("The address has no host name, such as calendar.example.com.")
    del port  # read only to refuse a port that is not a number
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


def mask(url: str) -> str:
    """How a feed's address is shown back (page, API): its scheme and host only, e.g. `https://example.com/…`."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    shown = host if port in (None, DEFAULT_PORTS.get(parts.scheme)) else f"{host}:{port}"
    return f"{parts.scheme}://{shown}/…"


def _refusal(address: Address) -> str | None:
    """Why `address` is not fetched without ALLOW_PRIVATE_FEEDS, or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "a loopback address (this server itself)"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private:
        return "an address on a private network"
    if address.is_multicast or address.is_unspecified or address.is_reserved or not address.is_global:
        return "an address that is not on the public internet"
    return None


def resolve(host: str, port: int, *, allow_private: bool) -> list[str]:
    """Every address `host` resolves to, each checked; raises Refused when any of them is not public
    (unless `allow_private`), so a name with one private address among public ones is refused too."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Unreachable(f"The feed's host name {host} could not be found. Check the address; "
                          "it will be tried again.") from None
    found: list[str] = []
    for info in infos:
        text = str(info[4][0]).split("%", 1)[0]
        if text not in found:
            found.append(text)
    if not allow_private:
        for text in found:
            why = _refusal(ipaddress.ip_address(text))
            if why is not None:
                raise Refused(f"The feed's host {host} is {why} ({text}). Slotwise only fetches subscribed "
                              "calendars from the public internet (the server's administrator can allow "
                              "others with ALLOW_PRIVATE_FEEDS=1).")
    return found
