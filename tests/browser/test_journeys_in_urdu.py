"""The three journeys once more, in Urdu, over the same 26 page states as the English
walk (test_journeys_accessible.py): each person switches the header to Urdu and walks
on; every page is right to left, clean under axe at desktop and 390-px widths, and
nothing overflows at 390 px. Three pages are saved as screenshots beside the
English ones (SCREENSHOT_DIR; `make screenshots` writes docs/screenshots)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from permissions.console import dashboard
from permissions.models import PermissionRequest, RoutingRule, User
from tests.factories import PASSWORD, platform, submitted_request

from .test_journeys_accessible import Walk, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TOPIC = "سیلاب زدگان کے لیے امدادی کیمپ"


def ur(text: str) -> str:
    """What the portal shows in Urdu for `text`: the catalogue's own translation."""
    with translation.override("ur"):
        return translation.gettext(text)


def field(page: Any, name: str) -> Any:
    """A form field by its name: its Urdu label is axe's to check (every field has one)."""
    return page.locator(f"[name={name}]")


def in_urdu(page: Any) -> None:
    """Switch the page to Urdu with the header's button, as a person would."""
    page.get_by_role("button", name="اردو").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ur")


def test_the_three_journeys_in_urdu_are_right_to_left_and_accessible(
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

    # A visitor whose browser asks for Urdu reads Urdu from the first page.
    visitor = browser.new_context(base_url=live_server.url, locale="ur-PK").new_page()
    walk.visit(visitor, "/requests/", "sign in, in Urdu")
    expect(visitor.locator("html")).to_have_attribute("dir", "rtl")
    expect(visitor.get_by_role("heading", name=ur("Sign in"))).to_be_visible()
    walk.visit(visitor, "/help/", "help, in Urdu")
    walk.visit(visitor, "/help/contact/", "contact, in Urdu")
    walk.visit(visitor, "/check/", "letter check, in Urdu")

    # Journey 1: the servant switches to Urdu and files a request, typed in Urdu.
    page = new_page(servant.username, PASSWORD)
    in_urdu(page)
    walk.visit(page, "/requests/", "servant's list, empty, in Urdu")
    walk.visit(page, "/requests/new/", "new request, in Urdu")
    field(page, "platform").select_option(label="پی ٹی وی (سرکاری ٹیلی وژن)")
    field(page, "participation").select_option(label=ur("Interview"))
    field(page, "outlet").fill("پی ٹی وی نیوز")
    field(page, "topic").fill(TOPIC)
    page.locator("input[name=capacity][value=personal]").check()
    event = timezone.localtime() + datetime.timedelta(days=5)
    field(page, "event_at").fill(event.strftime("%Y-%m-%dT10:00"))
    page.get_by_role("button", name=ur("Submit for decision")).click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary")).to_contain_text(ur("There is a problem"))
    walk.check(page, "request form with problems, in Urdu")
    screenshot(page, "request-form-errors-ur.png")
    field(page, "summary").fill("امدادی کیمپ کہاں ہیں اور وہاں کیسے پہنچا جائے۔")
    # Wait for the Urdu web fonts, which lay the page out again when they arrive.
    page.evaluate("() => document.fonts.ready.then(() => true)")
    page.locator("input[name=declaration]").check()
    page.get_by_role("button", name=ur("Submit for decision")).click()
    page.wait_for_url("**/requests/*/")
    request = PermissionRequest.objects.get(topic=TOPIC)
    walk.check(page, "request detail, pending, in Urdu")
    # The text the servant typed keeps its own direction wherever it is shown.
    walk.visit(page, "/requests/", "servant's list, in Urdu")

    # Journey 2: the reporting officer, in Urdu, approves with a condition.
    officer = new_page(reporting_officer.username, PASSWORD)
    in_urdu(officer)
    walk.visit(officer, "/inbox/", "inbox, in Urdu")
    officer.get_by_role("link", name=request.reference).click()
    officer.wait_for_url(f"**/requests/{request.pk}/decide/")
    walk.check(officer, "decide page, in Urdu")
    officer.locator("input[name=decision][value=approve]").check()
    officer.locator("input[name=conditions]").first.check()
    walk.check(officer, "decide page, approving, in Urdu")
    screenshot(
        officer, "decide-ur.png", top=officer.get_by_role("heading", name=ur("Your decision"))
    )
    officer.get_by_role("button", name=ur("Record decision")).click()
    officer.wait_for_url("**/inbox/")
    walk.visit(officer, "/inbox/decided/", "decided by me, in Urdu")

    countersigning = new_page(countersigning_officer.username, PASSWORD)
    in_urdu(countersigning)
    countersigning.goto(f"/requests/{request.pk}/decide/")
    countersigning.locator("input[name=decision][value=approve]").check()
    countersigning.get_by_role("button", name=ur("Record decision")).click()
    countersigning.wait_for_url("**/inbox/")
    walk.check(countersigning, "inbox, empty, in Urdu")
    walk.visit(page, f"/requests/{request.pk}/", "request detail, approved, in Urdu")
    walk.visit(page, "/notifications/", "notifications, in Urdu")
    walk.visit(page, "/profile/", "profile, in Urdu")
    walk.visit(page, "/profile/email/", "e-mail choices, in Urdu")
    walk.visit(page, "/help/servants/", "help for servants, in Urdu")

    # Journey 3: the auditor, in Urdu, finds the request by its Urdu words.
    # Two more on the radio, so that the dashboard's charts have bars of different lengths.
    for topic in ("ریڈیو پر گفتگو", "ریڈیو پر دوسری گفتگو"):
        submitted_request(servant, platform=platform("radio"), topic=topic)
    # The figures as the refresh job would leave them (no worker runs beside the full
    # stack's tests to do it).
    dashboard.refresh()
    audit = new_page(auditor.username, PASSWORD)
    in_urdu(audit)
    walk.visit(audit, "/audit/", "dashboard, in Urdu")
    # The charts grow from the right, the side their labels are on.
    edges = audit.evaluate(
        """() => [...document.querySelectorAll('.console-chart-bar')]
            .map(bar => [bar.getBoundingClientRect(), bar.ownerSVGElement.getBoundingClientRect()])
            .filter(([bar, chart]) => bar.width > 1 && bar.width < chart.width - 1)
            .map(([bar, chart]) => [bar.left - chart.left, chart.right - bar.right])"""
    )
    assert edges, "a bar shorter than its chart"
    assert all(right < 1 < left for left, right in edges), edges
    screenshot(audit, "dashboard-ur.png")
    walk.visit(audit, "/audit/requests/?text=امدادی+کیمپ", "console request search, in Urdu")
    expect(audit.get_by_role("link", name=request.reference)).to_be_visible()
    walk.visit(audit, f"/audit/requests/{request.pk}/", "console request record, in Urdu")
    walk.visit(audit, "/audit/log/", "audit log, in Urdu")
    walk.visit(audit, "/audit/verification/", "chain verification, in Urdu")
    walk.visit(audit, "/audit/exports/", "exports, in Urdu")
    walk.visit(audit, "/second-factor/", "second factor, in Urdu")

    print("\nPages checked in Urdu at 1280 and 390 px:\n" + "\n".join(walk.checked))
    assert len(walk.checked) == 26
