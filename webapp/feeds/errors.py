"""A feed's failures, each in words the owner can act on; none ever holds the feed's address."""
from __future__ import annotations


class FeedError(Exception):
    """Fetching or reading a feed failed; str(error) is shown to the owner as it is."""

    message = "The subscribed calendar could not be read."

    def __init_subclass__(cls, message: str = "", **kw):
        super().__init_subclass__(**kw)
        if message:
            cls.message = message

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)


class Refused(FeedError, message="Slotwise does not fetch feeds from this address."):
    """The name resolves to an address on loopback, a private or link-local network (or another non-public
    one), and ALLOW_PRIVATE_FEEDS is off: checked when the feed is added and at every hop of every fetch."""


class Unreachable(FeedError, message="The feed's server could not be reached. Nothing was lost; it will be "
                                     "tried again."):
    """The name does not resolve, the connection is refused or breaks, or TLS fails."""


class TimedOut(FeedError):
    """No answer within FEED_TIMEOUT_SECONDS, or the whole download took longer."""


class TooLarge(FeedError):
    """The feed is bigger than FEED_MAX_BYTES (declared or counted while reading: reading stops there)."""


class HttpError(FeedError):
    """The server answered with an error status (404, 401, 500, …)."""


class RateLimited(HttpError, message="The feed's server asked Slotwise to slow down; it will try again later."):
    """429, or 503 with Retry-After."""

    def __init__(self, message: str | None = None, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class NotICalendar(FeedError):
    """The answer is not an iCalendar feed (a web page, an image, an empty body)."""
