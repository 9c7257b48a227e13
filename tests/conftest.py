"""Shared fixtures: the app with a fresh database, a real CalDAV server, a live server and a browser."""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from werkzeug.serving import make_server

from tests.postgres.cluster import Cluster, ClusterError
from tests.postgres.server import PostgresServer
from tests.rigs.icloud_front import IcloudFront
from tests.rigs.quiet import QuietHandler
from tests.rigs.radicale_rig import RadicaleRig
from tests.rigs.smtp_rig import SmtpRig
from webapp import create_app
from webapp.auth import create_user
from webapp.models import User


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--docs-screenshots", default="", metavar="DIR",
                     help="write the guide's screenshots into DIR (make docs); else they go to a temporary folder")
    parser.addoption("--postgres", action="store_true",
                     help="give every app a fresh database on PostgreSQL (TEST_DATABASE_URL, else a throwaway "
                          "cluster) instead of a SQLite file; tests marked sqlite_only are left out")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--postgres"):
        kept = [item for item in items if item.get_closest_marker("sqlite_only") is None]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


TEST_KEY = Fernet.generate_key().decode()
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def postgres(request: pytest.FixtureRequest) -> Iterator[PostgresServer]:
    """The PostgreSQL server of the run: TEST_DATABASE_URL, else a throwaway cluster started here.

    Never skips: without a server the tests that need one fail (in CI as everywhere).
    """
    url = os.environ.get("TEST_DATABASE_URL")
    cluster = None
    if not url:
        cluster = Cluster()
        try:
            url = cluster.start()
        except ClusterError as exc:
            cluster.stop()
            pytest.fail(f"no PostgreSQL for the tests: {exc} (or set TEST_DATABASE_URL)", pytrace=False)
    server = PostgresServer(url)
    yield server
    server.close()
    if cluster is not None:
        cluster.stop()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The test's own database: a new SQLite file, or with --postgres a new PostgreSQL database holding
    the newest schema (dropped after the test)."""
    if not request.config.getoption("--postgres"):
        yield f"sqlite:///{tmp_path / 'slotwise.db'}"
        return
    yield from request.getfixturevalue("postgres").database_for_a_test()


@pytest.fixture
def app_config(database_url: str) -> dict:
    """The test dict given to create_app; tests may override this fixture or mutate the dict."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "SLOTWISE_ENCRYPTION_KEY": TEST_KEY,
        "ICLOUD_CALDAV_URL": "http://127.0.0.1:9/",  # nothing listens: no test ever reaches Apple
        "CALDAV_TIMEOUT_SECONDS": 5,
        "SCHEDULER_ENABLED": False,
    }


@pytest.fixture
def app(app_config: dict, request: pytest.FixtureRequest) -> Iterator[Flask]:
    if "caldav_server" in request.fixturenames:
        server = request.getfixturevalue("caldav_server")
        app_config["ICLOUD_CALDAV_URL"] = server.url
        if server.allowed_hosts:  # the iCloud-shaped front's partition host, as *.icloud.com admits iCloud's
            app_config["CALDAV_ALLOWED_HOSTS"] = server.allowed_hosts
    application = create_app(app_config)
    yield application
    from webapp.db import database

    if not database.is_closed():
        database.close()


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask):
    def make(email: str = "ada@example.com", password: str = PASSWORD, **kw) -> User:
        with app.app_context():
            return create_user(email, password, **kw)

    return make


@pytest.fixture
def user(make_user) -> User:
    return make_user()


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email: str = "ada@example.com", password: str = PASSWORD):
        # the form carries a signed token; read it from the page like a browser would
        page = self.client.get("/login").get_data(as_text=True)
        csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        return self.client.post("/login", data={"email": email, "password": password, "csrf_token": csrf})

    def csrf_token(self) -> str:
        page = self.client.get("/login").get_data(as_text=True)
        if 'name="csrf_token" value="' not in page:
            page = self.client.get("/settings/profile/integrations").get_data(as_text=True)
        return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def logged_in(user, auth, client):
    """A client signed in as `user`; `client.csrf` holds a CSRF token for HTMX-style headers."""
    auth.login()
    client.csrf = auth.csrf_token()
    return client


# --- CalDAV ------------------------------------------------------------------------------------


@pytest.fixture
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RadicaleRig]:
    rig = RadicaleRig(tmp_path_factory.mktemp("radicale"))
    yield rig
    rig.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpRig]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""
    rig = SmtpRig()
    yield rig
    rig.stop()


@pytest.fixture(params=["plain", "icloud"], ids=["plain", "icloud"])
def caldav_server(request: pytest.FixtureRequest, radicale: RadicaleRig) -> Iterator[RadicaleRig | IcloudFront]:
    """The CalDAV server Slotwise talks to (ICLOUD_CALDAV_URL points at it).

    "plain" is Radicale itself; "icloud" is the iCloud-shaped front before it (tests/rigs/icloud_front.py),
    with the same interface. A test that fails only on "icloud" has found an iCloud difference.
    """
    if request.param == "plain":
        yield radicale
        return
    front = IcloudFront(radicale)
    yield front
    front.stop()


# --- live server and browser -------------------------------------------------------------------


class LiveServer:
    def __init__(self, app: Flask):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(app)
    yield server
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def patient_expectations() -> Iterator[None]:
    """CI machines are small and shared: give each HTMX swap 15 s instead of Playwright's 5 s."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium, never a downloaded browser."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture
def browser_login(page, live_server, user):
    """Sign in through the login form in the real browser; returns the page."""
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    return page


@pytest.fixture(scope="session")
def base_url() -> None:
    """Replaces pytest-base-url's fixture (deprecated form under pytest 9); pages use full URLs."""
    return None


# --- accounts without going through the connect form -------------------------------------------

APP_PASSWORD = "abcd-efgh-ijkl-mnop"


@pytest.fixture
def make_account(app: Flask):
    """Store a CalendarAccount with its calendars straight in the database.

    `calendars` maps a calendar URL (as the CalDAV server lists it) to (name, role).
    """
    from webapp.crypto import encrypt
    from webapp.models import CalendarAccount, RemoteCalendar

    def make(owner: User, email: str, password: str = APP_PASSWORD,
             calendars: dict[str, tuple[str, str]] | None = None) -> CalendarAccount:
        with app.app_context():
            account = CalendarAccount.create(owner=owner, email=email, password_encrypted=encrypt(password))
            for url, (name, role) in (calendars or {}).items():
                RemoteCalendar.create(account=account, url=url, name=name, role=role)
            return account

    return make


class SyncRuns:
    """The accounts synced since the last look, in order, read from the SyncRun rows their syncs wrote.

    How a test sees that something asked for a sync (tests run syncs inline), without replacing the sync.
    """

    def __init__(self, app: Flask):
        from webapp.models import SyncRun

        self.app = app
        with app.app_context():
            self.seen = max((r.id for r in SyncRun.select(SyncRun.id)), default=0)

    def take(self) -> list[int]:
        from webapp.models import SyncRun

        with self.app.app_context():
            runs = list(SyncRun.select().where(SyncRun.id > self.seen).order_by(SyncRun.id))
        if runs:
            self.seen = runs[-1].id
        # the check before a booking (webapp.sync.jit) writes runs of its own: not a sync anyone asked for
        return [r.account_id for r in runs if r.kind != SyncRun.CHECK]
