"""Two people racing for one slot: one booking, one clear 'this time was just taken'."""
from __future__ import annotations

import threading

from webapp.appointments import SlotTaken, create_appointment
from webapp.db import database
from webapp.models import Appointment, User

from .conftest import at


def test_two_concurrent_bookings_of_one_slot_make_exactly_one_appointment(app, owner, day):
    start, end = at(day, 10), at(day, 10, 30)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def visitor(n: int) -> None:
        with app.app_context():
            database.connect(reuse_if_open=True)
            try:
                user = User.get_by_id(owner.id)
                barrier.wait(timeout=10)
                create_appointment(user, start, end, "", f"Visitor {n}", f"v{n}@example.com", public=True)
                result = "booked"
            except SlotTaken as exc:
                result = str(exc)
            finally:
                database.close()
        with lock:
            outcomes.append(result)

    for _ in range(5):  # several rounds: each must end with exactly one winner
        with app.app_context():
            Appointment.delete().execute()
        outcomes.clear()
        threads = [threading.Thread(target=visitor, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(outcomes) == ["This time was just taken. Please choose another time.", "booked"]
        with app.app_context():
            assert Appointment.live().where(Appointment.owner == owner.id).count() == 1
