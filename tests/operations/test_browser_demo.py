"""`make demo` as a newcomer meets it: started as its own process, used in a real Chromium under the CSP."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from webapp.demo.radicale_process import free_port

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Demo:
    url: str
    email: str
    password: str
    booking_url: str
    apple_id: str
    app_password: str
    data_dir: Path


def read_banner(process: subprocess.Popen, seconds: float = 120) -> str:
    """Stdout up to the banner's last line (read in a thread, so a silent demo cannot hang the test)."""
    lines: list[str] = []
    done = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "Demo data lives in" in line:
                break
        done.set()

    threading.Thread(target=read, daemon=True).start()
    done.wait(seconds)
    return "".join(lines)


def field(banner: str, label: str) -> str:
    match = re.search(rf"^\s*{re.escape(label)}\s+(\S+)\s*$", banner, re.MULTILINE)
    assert match, f"{label!r} missing from the demo's banner:\n{banner}"
    return match.group(1)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(free_port()), "TMPDIR": str(tmp_path)}
    stderr = (tmp_path / "demo.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "webapp.demo"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=stderr)
    try:
        banner = read_banner(process)
        assert "Slotwise demo is ready" in banner, (tmp_path / "demo.log").read_text()[-3000:]
        url = re.search(r"Slotwise demo is ready: (\S+)", banner).group(1)
        data_dir = Path(re.search(r"Demo data lives in (\S+)", banner).group(1))
        yield Demo(url, field(banner, "Sign in with"), field(banner, "and the password"), field(banner, "Booking page"),
                   field(banner, "Apple ID"), field(banner, "App-specific password"), data_dir)
    finally:
        process.terminate()
        process.wait(timeout=60)
        process.stdout.close()
        stderr.close()


@pytest.fixture
def csp_violations(page) -> list[str]:
    """Every Content-Security-Policy refusal Chromium reports on the page."""
    seen: list[str] = []
    page.on("console", lambda message: seen.append(message.text)
            if "Content Security Policy" in message.text else None)
    return seen


def test_make_demo_walkthrough_sign_in_week_booking_and_connect_by_hand(demo, page, csp_violations, tmp_path):
    assert demo.data_dir.is_relative_to(tmp_path) and (demo.data_dir / "slotwise.db").exists()
    assert demo.url.startswith("http://127.0.0.1:")

    # the printed login works
    page.goto(demo.url + "/login")
    page.get_by_label("E-mail").fill(demo.email)
    page.get_by_label("Password").fill(demo.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(demo.url + "/")

    # iCloud events are Blocked Slots in this week's view: the weekly series and today's call
    # (the title first, "Blocked Slot" after it as a small label)
    expect(page.get_by_role("button", name=re.compile(r"^Team sync .*Blocked Slot"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Client call: Northwind .*Blocked Slot"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Dentist"))).to_have_count(0)  # cancelled: not blocking

    # the public booking page offers free times
    page.goto(demo.booking_url)
    first_open_day = page.get_by_role("table").get_by_role("button").first
    first_open_day.click()
    expect(first_open_day).to_have_class(re.compile("is-selected"))  # static/app.js, under the CSP
    expect(page.locator("#slots").get_by_role("button", name=re.compile(r"^\d\d:\d\d$")).first).to_be_visible()

    # the second demo Apple ID connects by hand through the Connect form
    page.goto(demo.url + "/settings/profile/integrations")
    card = page.get_by_role("region", name="iCloud Calendar")
    card.get_by_role("button", name="Connect another account", exact=True).click()
    card.get_by_label("iCloud Email Address").fill(demo.apple_id)
    card.get_by_label("App-specific password").fill(demo.app_password)
    card.get_by_role("button", name="Connect", exact=True).click()
    account = page.get_by_role("article", name=f"iCloud account {demo.apple_id}")
    expect(account.get_by_text("Connected", exact=True)).to_be_visible()
    expect(account.get_by_text("Family", exact=True)).to_be_visible()
    # the demo's subscribed calendar (served on loopback) was fetched and is checked for conflicts
    school = page.get_by_role("article", name="Subscribed calendar School")
    expect(school.get_by_text("Connected", exact=True)).to_be_visible()
    expect(school.get_by_text("Checked for conflicts: its events block time.")).to_be_visible()

    assert csp_violations == []


def test_stopping_the_demo_removes_its_data_and_its_radicale(tmp_path):
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(free_port()), "TMPDIR": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "webapp.demo"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        banner = read_banner(process)
        data_dir = Path(re.search(r"Demo data lives in (\S+)", banner).group(1))
        radicale_pid = int((data_dir / "radicale" / "pid").read_text())
        process.terminate()  # at once, as soon as the banner is out
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        process.stdout.close()
    assert not data_dir.exists()
    for _ in range(50):
        if not Path(f"/proc/{radicale_pid}").exists():
            break
        time.sleep(0.1)
    assert not Path(f"/proc/{radicale_pid}").exists()
