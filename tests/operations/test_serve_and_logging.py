"""`make run`'s server (waitress, in its own process) and the log lines it writes."""
from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import APP_PASSWORD, PASSWORD, TEST_KEY
from webapp.demo.radicale_process import free_port
from webapp.logging_setup import configure

ROOT = Path(__file__).resolve().parents[2]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server stopped"
        try:
            return urllib.request.urlopen(url, timeout=5)
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


@pytest.fixture
def served(tmp_path):
    """`python -m webapp.serve` (what `make run` starts) on a free port, its data in tmp."""
    port = free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "WAITRESS_THREADS": "2",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'slotwise.db'}", "SECRET_KEY": "serve-test",
           "SLOTWISE_ENCRYPTION_KEY": TEST_KEY, "ICLOUD_CALDAV_URL": "http://127.0.0.1:9/"}
    log = (tmp_path / "stderr.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "webapp.serve"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=log)
    try:
        yield f"http://127.0.0.1:{port}", process, tmp_path / "stderr.log"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_make_run_serves_with_waitress_and_healthz(served):
    url, process, _ = served
    with wait_for(url + "/healthz", process) as response:
        assert response.headers["Server"] == "waitress"
        body = json.load(response)
    assert body == {"status": "ok", "database": "ok", "scheduler": "running",
                    "accounts_needing_reconnect": 0, "last_sync_age_seconds": None}


def test_the_server_logs_one_line_per_request_and_stops_on_sigterm(served):
    url, process, stderr = served
    wait_for(url + "/healthz", process).close()
    with urllib.request.urlopen(urllib.request.Request(url + "/login", headers={"X-Request-ID": "abcdef123456"})) as r:
        assert r.headers["X-Request-ID"] == "abcdef123456"
    process.terminate()
    assert process.wait(timeout=30) == 0
    lines = stderr.read_text().splitlines()
    assert any("[req=abcdef123456 user=-] GET /login 200" in line for line in lines)
    assert any("slotwise.serve" in line and "stopping" in line for line in lines)


@pytest.fixture
def log_lines():
    stream = io.StringIO()
    handler = configure(stream)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)


def test_log_lines_name_the_request_and_the_user_and_never_a_secret(icloud_rig, app, logged_in, user, log_lines):
    logged_in.post("/settings/profile/integrations/icloud/connect",
                   data={"email": "ada@icloud.example", "password": APP_PASSWORD},
                   headers={"HX-Request": "true", "X-CSRFToken": logged_in.csrf})
    text = log_lines.getvalue()
    connect = [line for line in text.splitlines() if "POST /settings/profile/integrations/icloud/connect" in line]
    assert len(connect) == 1 and f"user={user.id}]" in connect[0]
    assert f"user {user.id} connected iCloud account" in text
    assert APP_PASSWORD not in text and PASSWORD not in text
    from webapp.models import User

    with app.app_context():
        assert User.get_by_id(user.id).session_token not in text


@pytest.fixture
def icloud_rig(radicale, app_config):
    radicale.add_user("ada@icloud.example", APP_PASSWORD)
    radicale.make_calendar("ada@icloud.example", "home", name="Home")
    app_config["ICLOUD_CALDAV_URL"] = radicale.url
    return radicale
