"""Fixtures for subscribed calendars: a real feed server on loopback, an owner with a token, feed texts."""
from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.bearer import BearerClient
from tests.calendar.conftest import BERLIN, at, monday_in_two_weeks  # noqa: F401 (re-exported for the tests)
from tests.feeds.feed_server import FeedServer
from webapp.auth import issue_api_token
from webapp.models import User

HX = {"HX-Request": "true"}
ADD = "/settings/profile/integrations/subscriptions/add"


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return {**app_config, "ALLOW_PRIVATE_FEEDS": True, "FEED_TIMEOUT_SECONDS": 2}


@pytest.fixture
def feed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FeedServer]:
    server = FeedServer(tmp_path_factory.mktemp("feeds"))
    yield server
    server.stop()


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for `localhost` (its own CA), made here: no file from outside."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            # the name only, no IP address: connected to 127.0.0.1, it verifies only if checked for the name
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def tls_feed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FeedServer]:
    """The same server over https with a certificate for `localhost`; `.ca` is the file that trusts it."""
    folder = tmp_path_factory.mktemp("tls-feeds")
    cert, key = _self_signed(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = FeedServer(folder, tls=context)
    server.ca = str(cert)
    yield server
    server.stop()


@pytest.fixture
def owner(app, user) -> User:
    with app.app_context():
        User.update(timezone="Europe/Berlin").where(User.id == user.id).execute()
        return User.get_by_id(user.id)


@pytest.fixture
def api(app, owner):
    """A test client sending a Bearer token of `owner`."""
    with app.app_context():
        token = issue_api_token(owner)
    return BearerClient(app, token)


@pytest.fixture
def owner_client(owner, auth, client):
    """The owner signed in; `client.hx` holds the headers htmx sends (with the CSRF token)."""
    auth.login()
    client.hx = {**HX, "X-CSRFToken": auth.csrf_token()}
    return client


def event(uid: str, start: dt.datetime, end: dt.datetime, summary: str = "Busy", extra: str = "") -> str:
    fmt = "%Y%m%dT%H%M%SZ"
    s, e = start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)
    return (f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{s.strftime(fmt)}\r\n"
            f"DTEND:{e.strftime(fmt)}\r\nSUMMARY:{summary}\r\n{extra}END:VEVENT\r\n")


def feed(*events: str) -> str:
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Feed//EN\r\n" + "".join(events) + "END:VCALENDAR\r\n"
