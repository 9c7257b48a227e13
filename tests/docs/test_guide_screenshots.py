"""The guide's pictures (docs/guide.md), taken from the real pages in a real Chromium.

`make docs` runs this with `--docs-screenshots=docs/img` and the pictures land in docs/; in `make test` they go
to a temporary folder, so the walk through the help article's steps is checked on every run and cannot rot.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from tests.docs.conftest import PHONE

pytestmark = pytest.mark.browser
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide.md"


def shoot(target: Page | Locator, path: Path) -> None:
    """A screenshot at most 1000 px wide, as a 256-colour optimised PNG (a few dozen kB, not hundreds)."""
    image = Image.open(io.BytesIO(target.screenshot(animations="disabled", caret="hide")))
    if image.width > 1000:
        image = image.resize((1000, round(image.height * 1000 / image.width)), Image.LANCZOS)
    image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def test_the_help_articles_steps_in_pictures(signed_in, new_context, live_server, showcase, shots_dir):
    page = signed_in
    taken: list[str] = []

    def take(name: str, target: Page | Locator | None = None) -> None:
        shoot(target or page, shots_dir / name)
        taken.append(name)

    # Step 2: Settings in the left panel → My Profile → Integrations → iCloud Calendar → Connect
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    settings = page.get_by_role("navigation", name="Settings")
    expect(settings.get_by_role("link").first).to_have_text("My Profile")
    take("settings.png")
    settings.get_by_role("link", name="My Profile").click()
    page.get_by_role("navigation", name="My Profile").get_by_role("link", name="Integrations").click()
    card = page.get_by_role("region", name="iCloud Calendar")
    expect(card.get_by_role("article", name=f"iCloud account {showcase.connected.email}")).to_be_visible()
    take("integrations.png")

    card.get_by_role("button", name="Connect another account").click()
    card.get_by_label("iCloud Email Address").fill(showcase.second.email)
    card.get_by_label("App-specific password").fill("wxyz-wxyz-wxyz-wxyz")
    take("connect-form.png", card)
    card.get_by_role("button", name="Connect", exact=True).click()
    expect(card.get_by_text("Apple did not accept this e-mail and app-specific password")).to_be_visible()
    take("connect-error.png", card)
    card.get_by_label("App-specific password").fill(showcase.second.password)
    card.get_by_role("button", name="Connect", exact=True).click()
    expect(card.get_by_role("article", name=f"iCloud account {showcase.second.email}")).to_be_visible()
    take("connected.png", page.get_by_role("region", name="iCloud Calendar"))

    # Step 3: My Profile → Calendar Configuration → Edit under Primary Calendar / Check for Conflicts
    page.get_by_role("navigation", name="My Profile").get_by_role("link", name="Calendar Configuration").click()
    expect(page.get_by_role("heading", name="Calendar Configuration")).to_be_visible()
    take("calendar-configuration.png")
    primary = page.get_by_role("region", name="Primary Calendar")
    primary.get_by_role("button", name="Edit").click()
    expect(primary.get_by_label("Account")).to_be_visible()
    take("edit-primary-calendar.png", primary)
    primary.get_by_role("button", name="Cancel").click()
    conflicts = page.get_by_role("region", name="Check for Conflicts")
    conflicts.get_by_role("button", name="Edit").click()
    conflicts.get_by_role("group", name=showcase.second.email).get_by_label("Family").check()
    take("edit-check-for-conflicts.png", conflicts)
    conflicts.get_by_role("button", name="Save").click()
    expect(conflicts.get_by_role("button", name="Edit")).to_be_visible()

    # Important information: iCloud events are Blocked Slots in the week view
    page.set_viewport_size({"width": 1400, "height": 900})  # the whole week beside its details, scaled to 1000
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar").click()
    expect(page.get_by_text("Client call: Northwind").first).to_be_visible()
    take("week-blocked-slots.png")
    page.get_by_text("Client call: Northwind").first.click()
    details = page.get_by_role("complementary", name="Details")
    expect(details.get_by_text("Blocked Slot").first).to_be_visible()
    take("blocked-slot-details.png", details)

    # The booking page a client opens, on a phone
    visitor = new_context().new_page()
    visitor.set_viewport_size(PHONE)
    visitor.goto(live_server.url + showcase.booking_path)
    expect(visitor.get_by_role("heading", name="Book a time with Robin Example")).to_be_visible()
    expect(visitor.locator(".booking-day:not([disabled])").first).to_be_visible()
    take("booking-page-phone.png", visitor)

    referenced = GUIDE.read_text()
    missing = [name for name in taken if f"img/{name}" not in referenced]
    assert not missing, f"docs/guide.md shows no {missing}"
    for name in taken:
        with Image.open(shots_dir / name) as image:
            assert image.width <= 1000
