"""The CalDAV store: the only package that imports `caldav`, `niquests` or `lxml`.

`Store` (store.py) is one authenticated connection and every request Slotwise makes to a calendar server;
`errors.py` turns every library and network failure into a `StoreError` a user can read; `hosts.py` keeps
credentials on allowed hosts and replies under the size cap; `davxml.py` writes the request bodies, reads
the answers and gives each href one spelling. Import from here: the names below are the public API.
"""
from .davxml import CalendarInfo, Fetched, Listing, canonical_href
from .errors import (
    BadCredentials,
    EtagMismatch,
    Forbidden,
    HostNotAllowed,
    InvalidSyncToken,
    MalformedResponse,
    NotFound,
    PreconditionFailed,
    RateLimited,
    RequestTooLarge,
    ResponseTooLarge,
    ServerError,
    StoreError,
    Unreachable,
    translate_errors,
)
from .hosts import DEFAULT_ALLOWED_HOSTS, DEFAULT_MAX_RESPONSE_BYTES, HostRule, host_rules
from .store import MULTIGET_MAX_BYTES, MULTIGET_MAX_HREFS, RequestHook, Store

__all__ = [
    "DEFAULT_ALLOWED_HOSTS", "DEFAULT_MAX_RESPONSE_BYTES", "MULTIGET_MAX_BYTES", "MULTIGET_MAX_HREFS",
    "BadCredentials", "CalendarInfo", "EtagMismatch", "Fetched", "Forbidden", "HostNotAllowed", "HostRule",
    "InvalidSyncToken", "Listing", "MalformedResponse", "NotFound", "PreconditionFailed", "RateLimited",
    "RequestHook", "RequestTooLarge", "ResponseTooLarge", "ServerError", "Store", "StoreError", "Unreachable",
    "canonical_href", "host_rules", "translate_errors",
]
