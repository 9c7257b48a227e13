"""A user with one mirrored calendar whose Blocked Slots carry what the rules look at."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from webapp.models import BlockedSlot, CalendarAccount, RemoteCalendar, User


@dataclass
class Mirror:
    app: object
    owner: User
    calendar_id: int

    def slot(self, start: datetime, end: datetime, **fields) -> int:
        with self.app.app_context():
            return BlockedSlot.create(owner=self.owner, source=BlockedSlot.ICLOUD, remote_calendar=self.calendar_id,
                                      start_utc=start, end_utc=end, title=fields.pop("title", "Busy"),
                                      **fields).id

    def set(self, **rules) -> None:
        with self.app.app_context():
            RemoteCalendar.update(**rules).where(RemoteCalendar.id == self.calendar_id).execute()


@pytest.fixture
def mirror(app, user) -> Mirror:
    with app.app_context():
        User.update(timezone="Europe/Berlin").where(User.id == user.id).execute()
        owner = User.get_by_id(user.id)
        account = CalendarAccount.create(owner=owner, email="ada@icloud.example")
        cal = RemoteCalendar.create(account=account, url="https://caldav.example/home/", name="Home",
                                    role=RemoteCalendar.CONFLICT)
        return Mirror(app, owner, cal.id)
