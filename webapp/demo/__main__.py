"""`python -m webapp.demo` (what `make demo` starts): seed Radicale, connect the demo user, serve."""
from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from cryptography.fernet import Fernet

from ..logging_setup import configure
from .calendars import ZONE, DemoAppleId, demo_apple_ids, ics, school_feed
from .feed_server import FeedServer
from .radicale_process import RadicaleProcess

log = logging.getLogger("slotwise.demo")

DEMO_EMAIL = "demo@slotwise.example"
DEMO_NAME = "Robin Demo"


def seed(radicale: RadicaleProcess, apple_ids: tuple[DemoAppleId, ...]) -> None:
    for apple_id in apple_ids:
        for calendar in apple_id.calendars:
            radicale.make_calendar(apple_id.email, calendar.calendar_id, calendar.name, calendar.color)
            for event in calendar.events:
                radicale.put_event(apple_id.email, calendar.calendar_id, event.uid, ics(event))


def isolate_settings(workdir: Path, caldav_url: str) -> None:
    """Point every setting that names data at the demo's folder, over instance/config.py and the environment."""
    for name in list(os.environ):
        if name.startswith("SLOTWISE_"):
            del os.environ[name]
    os.environ.update({
        "DATABASE_URL": f"sqlite:///{workdir / 'slotwise.db'}",
        "SECRET_KEY": secrets.token_hex(32),
        "SLOTWISE_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ICLOUD_CALDAV_URL": caldav_url,
        "SCHEDULER_ENABLED": "1",
        "ALLOW_REGISTRATION": "0",
        "ALLOW_PRIVATE_FEEDS": "1",  # the demo's subscribed calendar is served on loopback
    })


def connect_demo_user(main: DemoAppleId, password: str, feed_url: str | None = None):
    """The demo user, connected to the main Apple ID through the real Connect code, configured and synced;
    with `feed_url`, also subscribed to that calendar and checking it for conflicts."""
    from ..accounts import connect_account
    from ..calendar_roles import configure_calendars
    from ..auth import create_user
    from ..models import RemoteCalendar
    from ..subscriptions import add_subscription
    from ..sync import sync_account_now

    user = create_user(DEMO_EMAIL, password, name=DEMO_NAME, timezone=ZONE.key)
    account = connect_account(user, main.email, main.password)
    by_name = {cal.name: cal.id for cal in RemoteCalendar.select().where(RemoteCalendar.account == account)}
    conflicts = [by_name["Home"]]
    accounts = [account.id]
    if feed_url is not None:
        school = add_subscription(user, "School", feed_url)
        conflicts.append(school.calendar.id)
        accounts.append(school.account.id)
    configure_calendars(user, by_name["Work"], conflicts)
    for account_id in accounts:
        run = sync_account_now(account_id)
        if run is None or run.error:
            raise RuntimeError(f"the demo's first sync failed: {run.error if run else 'needs reconnect'}")
    return user


def banner(url: str, slug: str, password: str, second: DemoAppleId, workdir: Path) -> str:
    return f"""
Slotwise demo is ready: {url}
  Sign in with            {DEMO_EMAIL}
  and the password        {password}
  Booking page            {url}/book/{slug}

  Try Connect by hand (Settings > My Profile > Integrations > iCloud Calendar > Connect)
  with the second demo Apple ID:
    Apple ID              {second.email}
    App-specific password {second.password}

  Demo data lives in {workdir} and is deleted when the demo stops (Ctrl-C).
""".rstrip() + "\n"


def main() -> None:
    from ..serve import make_app, serve, stop_on_sigterm

    configure()
    stop_on_sigterm()  # from here on, stopping the demo always removes Radicale and the folder
    workdir = Path(tempfile.mkdtemp(prefix="slotwise-demo-"))
    radicale = feeds = None
    try:
        main_id, second_id = demo_apple_ids(datetime.now(ZONE).date())
        (workdir / "radicale").mkdir()
        radicale = RadicaleProcess(workdir / "radicale",
                                   {main_id.email: main_id.password, second_id.email: second_id.password})
        seed(radicale, (main_id, second_id))
        (workdir / "feeds").mkdir()
        (workdir / "feeds" / "school.ics").write_text(ics(*school_feed(datetime.now(ZONE).date())))
        feeds = FeedServer(workdir / "feeds")
        isolate_settings(workdir, radicale.url)
        app = make_app()
        password = secrets.token_urlsafe(9)
        with app.app_context():
            user = connect_demo_user(main_id, password, f"{feeds.base_url}/school.ics")
            slug = user.booking_slug
        serve(app, on_ready=lambda url: print(banner(url, slug, password, second_id, workdir), flush=True))
    finally:
        if feeds is not None:
            feeds.stop()
        if radicale is not None:
            radicale.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        log.info("demo stopped; %s removed", workdir)


if __name__ == "__main__":
    main()
