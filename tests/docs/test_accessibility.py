"""axe-core (bundled by axe-playwright-python, nothing downloaded) on every main page, desktop and phone."""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.docs.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser
SCREENS = {"desktop": DESKTOP, "phone": PHONE}
OWNER_PAGES = ["/", "/settings/", "/settings/profile/integrations", "/settings/profile/calendar-configuration",
               "/settings/profile/availability", "/settings/event-types", "/settings/notifications"]
axe = Axe()


def serious_violations(page: Page) -> list[str]:
    """Every serious or critical axe violation on the page as it is now, one line per rule."""
    found = axe.run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']} — "
            + "; ".join(n["target"][0] for n in v["nodes"][:5])
            for v in found if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("screen", SCREENS)
def test_owner_pages_have_no_serious_violation(signed_in, live_server, screen):
    page = signed_in
    page.set_viewport_size(SCREENS[screen])
    report: dict[str, list[str]] = {}
    for path in OWNER_PAGES:
        page.goto(live_server.url + path)
        report[path] = serious_violations(page)
    # the widgets HTMX swaps in: the Connect form, both Edit forms, an item's details
    page.goto(live_server.url + "/settings/profile/integrations")
    page.get_by_role("button", name="Connect another account").click()
    expect(page.get_by_label("iCloud Email Address")).to_be_visible()
    report["connect form"] = serious_violations(page)
    page.goto(live_server.url + "/settings/profile/calendar-configuration")
    for name in ("Primary Calendar", "Check for Conflicts"):
        segment = page.get_by_role("region", name=name)
        segment.get_by_role("button", name="Edit").click()
        expect(segment.get_by_role("button", name="Save")).to_be_visible()
    report["edit forms"] = serious_violations(page)
    page.goto(live_server.url + "/")
    page.get_by_text("Client call: Northwind").first.click()
    expect(page.get_by_role("complementary", name="Details").get_by_text("From iCloud: Work")).to_be_visible()
    report["week with details"] = serious_violations(page)
    assert {path: found for path, found in report.items() if found} == {}


@pytest.mark.parametrize("screen", SCREENS)
def test_public_pages_have_no_serious_violation(page, live_server, showcase, screen):
    page.set_viewport_size(SCREENS[screen])
    report: dict[str, list[str]] = {}
    page.goto(live_server.url + "/login")
    report["/login"] = serious_violations(page)
    page.goto(live_server.url + showcase.booking_path)
    report["booking month"] = serious_violations(page)
    page.locator("button.booking-day").first.click()
    expect(page.locator("#slots button").first).to_be_visible()
    report["booking day"] = serious_violations(page)
    page.locator("#slots button").first.click()
    expect(page.get_by_label("Name")).to_be_visible()
    report["booking form"] = serious_violations(page)
    assert {path: found for path, found in report.items() if found} == {}
