"""Racing team bookings over a live server: the members' locks and the re-check under them let exactly
as many in as there are free members (round-robin) or one (collective)."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest

from webapp.models import Appointment

from .conftest import at


def _race(url: str, token: str, body: dict, count: int) -> list[int]:
    barrier = threading.Barrier(count)
    statuses: list[int] = []
    lock = threading.Lock()

    def book(n: int) -> None:
        data = json.dumps({**body, "contact": {"name": f"Visitor {n}", "email": f"v{n}@example.com"}}).encode()
        request = urllib.request.Request(f"{url}/api/v1/appointments", data=data, method="POST",
                                         headers={"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/json"})
        barrier.wait(timeout=10)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            exc.close()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=book, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return sorted(statuses)


@pytest.mark.parametrize("kind, admitted", [("round_robin", 2), ("collective", 1)])
def test_racing_bookings_of_one_time_never_double_book_a_member(app, live_server, make_type, tokens, day,
                                                                kind, admitted):
    make_type(kind, slug="race")
    body = {"team": "sales", "event_type": "race", "start": at(day, 10).isoformat()}
    statuses = _race(live_server.url, tokens["bob"], body, 4)
    assert statuses == [201] * admitted + [409] * (4 - admitted)
    with app.app_context():
        owners = [a.owner_id for a in Appointment.live()]
    assert len(owners) == 2 and len(set(owners)) == 2  # each member at most once at that time
