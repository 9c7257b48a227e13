"""One spelling per object href, whatever form the server gives it in."""
from __future__ import annotations

from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from hypothesis import given
from hypothesis import strategies as st

from webapp.caldav_store import canonical_href
from webapp.caldav_store.davxml import HREF_SAFE

BASE = "http://127.0.0.2:8443/1234567/calendars/home/"


def joined(base: str, href: str) -> str:
    """The definition: join, keep scheme, host and path, normalise the percent-encoding."""
    parts = urlsplit(urljoin(base, href))
    return urlunsplit((parts.scheme, parts.netloc, quote(unquote(parts.path), safe=HREF_SAFE), "", ""))


def test_the_forms_servers_use_give_one_spelling():
    expected = "http://127.0.0.2:8443/1234567/calendars/home/a@b.ics"
    for href in ["/1234567/calendars/home/a@b.ics", "/1234567/calendars/home/a%40b.ics", "a%40b.ics", "a@b.ics",
                 "http://127.0.0.2:8443/1234567/calendars/home/a%40b.ics", "./a@b.ics"]:
        assert canonical_href(BASE, href) == expected
    assert canonical_href(BASE, "/1234567/calendars/home/a b.ics").endswith("/a%20b.ics")
    assert canonical_href(BASE, "/1234567/calendars/x/../home/c.ics").endswith("/1234567/calendars/home/c.ics")


@given(st.lists(st.sampled_from(["/", "a", "@", "%40", "%20", " ", ".", "..", "?q", "#f", "é", "%C3%A9", "~", "+"]),
                max_size=12).map("".join))
def test_the_quick_path_agrees_with_the_definition(tail: str):
    for href in ("/" + tail, tail):
        assert canonical_href(BASE, href) == joined(BASE, href)
