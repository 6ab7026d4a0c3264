"""The three journeys walked page by page as their people would, each page checked by
axe at desktop and 390-px widths, and at 390 px for anything cut off or scrolling
sideways. Three of the pages are saved as screenshots for the README (SCREENSHOT_DIR,
var/screenshots by default; `make screenshots` writes docs/screenshots)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from permissions.models import PermissionRequest, RoutingRule, User
from tests.browser.accessibility import (
    DESKTOP,
    PHONE,
    assert_accessible_at_both_widths,
    overflowing_elements,
)
from tests.factories import PASSWORD
from tests.helpers import ROOT

from .test_journeys import fill_request

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "var" / "screenshots"))


class Walk:
    """Checks each page a journey reaches and keeps the list of those it checked."""

    def __init__(self) -> None:
        self.checked: list[str] = []

    def check(self, page: Any, name: str) -> None:
        page.wait_for_load_state("networkidle")
        assert_accessible_at_both_widths(page, name)
        page.set_viewport_size(PHONE)
        try:
            assert overflowing_elements(page) == [], f"{name} at 390 px"
        finally:
            page.set_viewport_size(DESKTOP)
        self.checked.append(f"{name} ({page.url.split('/', 3)[-1] or '/'})")

    def visit(self, page: Any, url: str, name: str) -> None:
        page.goto(url)
        self.check(page, name)


def screenshot(page: Any, name: str, top: Any = None) -> None:
    """The desktop view, from the top of the page or of the element `top`."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    # Instantly: Bootstrap scrolls smoothly, and the picture would catch it half-way.
    page.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
    if top is not None:
        top.evaluate("element => element.scrollIntoView({behavior: 'instant'})")
    page.screenshot(path=str(SCREENSHOT_DIR / name), full_page=False)


def test_every_page_of_the_three_journeys_is_accessible_at_both_widths(
    new_page: Any,
    browser: Any,
    live_server: Any,
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
    auditor: User,
    television_countersigning: RoutingRule,
) -> None:
    walk = Walk()

    # Anyone: sign-in, help, and the public check of a letter.
    visitor = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    walk.visit(visitor, "/requests/", "sign in, sent from a page that needs it")
    expect(visitor.get_by_text("Sign in to continue")).to_be_visible()
    walk.visit(visitor, "/help/", "help")
    walk.visit(visitor, "/help/contact/", "contact")
    walk.visit(visitor, "/check/", "letter check")

    # Journey 1: a servant files a request on television (a chain of two officers).
    page = new_page(servant.username, PASSWORD)
    walk.visit(page, "/requests/", "servant's list, empty")
    walk.visit(page, "/requests/new/", "new request")
    fill_request(page, "Flood relief on PTV")
    page.get_by_label("Platform").select_option(label="PTV (state television)")
    page.get_by_label("Kind of participation").select_option(label="Interview")
    page.get_by_label("What will be said or posted").fill("")
    page.get_by_role("button", name="Submit for decision").click()
    expect(page.locator("#error-summary")).to_be_focused()
    walk.check(page, "request form with problems")
    screenshot(page, "request-form-errors.png")
    page.get_by_label("What will be said or posted").fill(
        "Where relief camps are and how to reach them."
    )
    page.get_by_label("I have read Rules 18").check()
    page.get_by_role("button", name="Submit for decision").click()
    page.wait_for_url("**/requests/*/")
    request = PermissionRequest.objects.get(topic="Flood relief on PTV")
    walk.check(page, "request detail, pending")
    walk.visit(page, "/requests/", "servant's list")

    # Journey 2: the reporting officer approves with a condition, the countersigning
    # officer sees it and approves.
    officer = new_page(reporting_officer.username, PASSWORD)
    walk.visit(officer, "/inbox/", "inbox")
    officer.get_by_role("link", name=request.reference).click()
    officer.wait_for_url(f"**/requests/{request.pk}/decide/")
    walk.check(officer, "decide page")
    officer.get_by_label("Approve").check()
    officer.get_by_label("The views expressed are personal").check()
    walk.check(officer, "decide page, approving")
    screenshot(officer, "decide.png", top=officer.get_by_role("heading", name="Your decision"))
    officer.get_by_role("button", name="Record decision").click()
    officer.wait_for_url("**/inbox/")
    walk.visit(officer, "/inbox/decided/", "decided by me")

    countersigning = new_page(countersigning_officer.username, PASSWORD)
    countersigning.goto(f"/requests/{request.pk}/decide/")
    earlier = countersigning.get_by_role("region", name="Conditions set at earlier steps")
    expect(earlier.get_by_text("The views expressed are personal")).to_be_visible()
    countersigning.get_by_label("Approve").check()
    countersigning.get_by_role("button", name="Record decision").click()
    countersigning.wait_for_url("**/inbox/")
    walk.check(countersigning, "inbox, empty")

    walk.visit(page, f"/requests/{request.pk}/", "request detail, approved")
    walk.visit(page, "/notifications/", "notifications")
    walk.visit(page, "/profile/", "profile")
    walk.visit(page, "/profile/email/", "e-mail choices")
    walk.visit(page, "/help/servants/", "help for servants")

    # Journey 3: the auditor.
    audit = new_page(auditor.username, PASSWORD)
    walk.visit(audit, "/audit/", "dashboard")
    screenshot(audit, "dashboard.png")
    walk.visit(audit, "/audit/requests/?status=approved", "console request search")
    walk.visit(audit, f"/audit/requests/{request.pk}/", "console request record")
    walk.visit(audit, "/audit/log/", "audit log")
    walk.visit(audit, "/audit/verification/", "chain verification")
    walk.visit(audit, "/audit/exports/", "exports")
    walk.visit(audit, "/second-factor/", "second factor")

    print("\nPages checked at 1280 and 390 px:\n" + "\n".join(walk.checked))
    assert len(walk.checked) == 26
