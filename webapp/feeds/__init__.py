"""Subscribed calendars (ICS feeds): their addresses and fetching them safely.

`address.py` reads and masks a feed's address and decides which network addresses may be fetched;
`fetch.py` is the one place a feed is fetched (conditional GET, size cap, deadline, every hop's address
checked and pinned); `split.py` (pure) cuts a feed into one object per UID for the sync's readers. The
mirror itself is written by `webapp.sync.feed`, with the same plan and readers as CalDAV calendars.
A feed's address is a secret (a shared link works without a password): it never leaves these modules in
an error message or a log line, only as `mask(url)`.
"""
from __future__ import annotations

from .address import AddressInvalid, mask, normalise
from .errors import FeedError, RateLimited, Refused
from .fetch import Answer, Fetcher
from .split import split_feed

__all__ = ["AddressInvalid", "Answer", "FeedError", "Fetcher", "RateLimited", "Refused", "mask", "normalise",
           "split_feed"]
