"""Racing bookings of a type with a daily limit of 1: the re-check under the write lock lets exactly one in."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

from webapp import event_types
from webapp.models import Appointment, User

from .conftest import at


def test_four_racing_bookings_on_a_day_with_a_daily_limit_of_1_give_exactly_one_201(app, live_server, owner,
                                                                                     token, day):
    with app.app_context():
        event_types.create(User.get_by_id(owner.id), {"title": "Consultation", "slug": "consultation",
                                                      "duration_minutes": 30, "daily_limit": 1})
    barrier = threading.Barrier(4)
    statuses: list[int] = []
    lock = threading.Lock()

    def book(hour: int) -> None:
        body = json.dumps({"start": at(day, hour).isoformat(), "event_type": "consultation",
                           "contact": {"name": f"Visitor {hour}", "email": f"v{hour}@example.com"}}).encode()
        request = urllib.request.Request(f"{live_server.url}/api/v1/appointments", data=body, method="POST",
                                         headers={"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/json"})
        barrier.wait(timeout=10)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            exc.close()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=book, args=(hour,)) for hour in (9, 11, 13, 15)]  # four different times
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(statuses) == [201, 409, 409, 409]
    with app.app_context():
        assert Appointment.live().where(Appointment.owner == owner.id).count() == 1
