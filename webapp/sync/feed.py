"""Pull a subscribed calendar: fetch its feed (conditionally) and mirror it like a CalDAV calendar.

An unchanged feed costs one request answered 304. The feed's ETag and Last-Modified are kept only once
an answer was taken in full, so a feed suddenly empty (kept until a second fetch confirms it) or with an
event to read again is fetched whole next time. Runs inside an app context; the caller holds the lock.
"""
from __future__ import annotations

from flask import current_app

from ..feeds import Fetcher, split_feed
from ..models import RemoteCalendar, SyncRun, User
from .pull import Window, mirror_everything, mirror_unchanged


def fetcher_for_app() -> Fetcher:
    """A Fetcher with the app's FEED_* settings (FEED_VERIFY, app config only: the tests' own CA)."""
    config = current_app.config
    return Fetcher(timeout=float(config["FEED_TIMEOUT_SECONDS"]), max_bytes=int(config["FEED_MAX_BYTES"]),
                   allow_private=bool(config["ALLOW_PRIVATE_FEEDS"]), verify=config.get("FEED_VERIFY", True))


def pull_feed(fetcher: Fetcher, url: str, cal: RemoteCalendar, run: SyncRun, window: Window, owner: User) -> None:
    """Mirror the feed at `url` into `cal`'s Blocked Slots; raises feeds.FeedError with words."""
    mirrored = cal.synced_until is not None  # no validators without a mirror: forgetting it must refetch
    answer = fetcher.get(url, etag=cal.http_etag if mirrored else None,
                         last_modified=cal.http_last_modified if mirrored else None)
    if answer.not_modified:
        mirror_unchanged(cal, window, owner)
        return
    objects, broken = split_feed(answer.text)
    if broken:
        run.skipped += broken
        run.add_warning(f"{cal.name}: {broken} event(s) of the feed were cut off and could not be read.")
    if mirror_everything(cal, run, window, owner, objects):
        cal.http_etag, cal.http_last_modified = answer.etag, answer.last_modified
    else:
        cal.http_etag = cal.http_last_modified = None
    cal.save(only=[RemoteCalendar.http_etag, RemoteCalendar.http_last_modified])
