"""The people's lists on a 390-px phone: every row a card, every column readable without
scrolling sideways, references whole, badges uncut, and nothing axe calls serious."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from permissions import workflow
from permissions.exports.models import ExportJob
from permissions.models import PermissionRequest, User
from tests.browser.accessibility import (
    PHONE,
    assert_accessible_at_both_widths,
    overflowing_elements,
)
from tests.factories import PASSWORD, draft_request, submitted_request

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Long enough to wrap on a phone, as real topics and outlets do.
LONG_TOPIC = "How the provincial e-governance programme shortens queues at district offices"
LONG_OUTLET = "Pakistan Television Corporation, 'Policy Matters with the Federal Secretaries'"


def on_screen(page: Any, locator: Any) -> dict[str, float]:
    """The element is shown and lies wholly within the viewport's width."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None
    width = page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (
        f"{locator} spans {box['x']:.0f} to {box['x'] + box['width']:.0f} px of {width}"
    )
    return box


def on_one_line(page: Any, locator: Any) -> None:
    """A reference reads whole: one line box, inside the viewport."""
    box = on_screen(page, locator)
    assert locator.evaluate("element => element.getClientRects().length") == 1
    line_height = locator.evaluate("element => parseFloat(getComputedStyle(element).lineHeight)")
    assert box["height"] < 1.5 * line_height


def cell(row: Any, column: str) -> Any:
    return row.locator(f'td[data-label="{column}"]')


def labelled_on_phone(cell_locator: Any) -> str:
    """The column name a card shows before a cell's value."""
    return str(
        cell_locator.evaluate(
            "element => getComputedStyle(element, '::before').content.split(' / ')[0]"
        )
    ).strip('"')


def assert_phone_ready(page: Any) -> None:
    page.set_viewport_size(PHONE)
    assert overflowing_elements(page) == []


def approved(request: PermissionRequest, officer: User) -> PermissionRequest:
    return workflow.approve(request.pk, by=officer)


def test_the_servants_list_shows_every_column_on_a_phone(
    new_page: Any, servant: User, reporting_officer: User
) -> None:
    draft_request(servant, topic=LONG_TOPIC, outlet=LONG_OUTLET)
    pending = submitted_request(servant, topic="Budget commentary")
    valid = approved(submitted_request(servant, topic="Digital services"), reporting_officer)
    withdrawn = submitted_request(servant, topic="A talk called off")
    workflow.withdraw(withdrawn.pk, by=servant, reason="The programme was cancelled.")

    page = new_page(servant.username, PASSWORD)
    page.goto("/requests/")
    assert_phone_ready(page)

    row = page.locator("tbody tr").filter(has_text=valid.reference)
    on_one_line(page, row.get_by_role("link", name=valid.reference))
    on_screen(page, cell(row, "Status").get_by_text("Approved"))
    on_screen(page, cell(row, "Valid"))
    assert valid.valid_from is not None
    expect(cell(row, "Valid")).not_to_have_text("—")
    assert labelled_on_phone(cell(row, "Valid")) == "Valid"
    # Still a table to a screen reader: cells named by their values, headers by columns.
    expect(page.get_by_role("columnheader", name="Valid")).to_have_count(1)
    expect(row.get_by_role("cell", name="Approved", exact=True)).to_be_visible()

    row = page.locator("tbody tr").filter(has_text=pending.reference)
    on_screen(page, cell(row, "Step").get_by_text("Step 1"))
    on_screen(page, cell(row, "Status").get_by_text("Pending"))
    expect(page.get_by_role("status")).to_have_text("Showing 4 requests.")

    assert_accessible_at_both_widths(page, "/requests/")


def test_filtering_on_a_phone_says_what_it_found(
    new_page: Any, servant: User, reporting_officer: User
) -> None:
    submitted_request(servant, topic="Budget commentary")
    approved(submitted_request(servant, topic="Digital services"), reporting_officer)
    draft_request(servant, topic="Water policy")

    page = new_page(servant.username, PASSWORD)
    page.goto("/requests/")
    page.set_viewport_size(PHONE)
    result = page.locator("#request-result")
    expect(result).to_have_attribute("aria-live", "polite")
    expect(result).to_have_text("Showing 3 requests.")

    page.get_by_label("Status").select_option(label="Approved")
    expect(result).to_have_text("Showing 1 request.")
    expect(page.locator("tbody tr")).to_have_count(1)
    # The region is the one that was there before the swap, so screen readers heard it.
    assert page.locator("#request-result").count() == 1
    assert overflowing_elements(page) == []

    page.get_by_label("Search").fill("nothing like this")
    page.get_by_role("button", name="Filter").click()
    expect(result).to_have_text("No request matches these filters.")
    expect(page.locator("tbody tr")).to_have_count(0)


def test_paging_on_a_phone_keeps_the_filter_and_the_cards(
    new_page: Any, servant: User, settings: Any
) -> None:
    settings.PAGE_SIZE = 5
    for number in range(7):
        draft_request(servant, topic=f"Budget talk {number}")

    page = new_page(servant.username, PASSWORD)
    page.set_viewport_size(PHONE)
    page.goto("/requests/?status=draft")
    result = page.locator("#request-result")
    expect(result).to_have_text("Showing 5 requests; older ones follow.")
    page.get_by_role("link", name="Older requests").click()
    expect(result).to_have_text("Showing 2 requests.")
    expect(page.locator("tbody tr")).to_have_count(2)
    assert "status=draft" in page.url and "after=" in page.url
    assert overflowing_elements(page) == []
    page.get_by_role("link", name="Newest").click()
    expect(result).to_have_text("Showing 5 requests; older ones follow.")


def test_the_officers_lists_show_every_column_on_a_phone(
    new_page: Any, servant: User, reporting_officer: User
) -> None:
    waiting = submitted_request(servant, topic=LONG_TOPIC, outlet=LONG_OUTLET)
    decided = approved(submitted_request(servant, topic="Digital services"), reporting_officer)

    page = new_page(reporting_officer.username, PASSWORD)
    page.goto("/inbox/")
    assert_phone_ready(page)
    row = page.locator("tbody tr").filter(has_text=waiting.reference)
    on_one_line(page, row.get_by_role("link", name=waiting.reference))
    on_screen(page, cell(row, "Step"))
    on_screen(page, cell(row, "Topic"))
    expect(page.get_by_role("status")).to_have_text("Showing 1 request.")
    assert_accessible_at_both_widths(page, "/inbox/")

    page.goto("/inbox/decided/")
    assert_phone_ready(page)
    row = page.locator("tbody tr").filter(has_text=decided.reference)
    on_one_line(page, row.get_by_role("link", name=decided.reference))
    on_screen(page, cell(row, "Request now").get_by_text("Approved"))
    on_screen(page, cell(row, "Your decision"))
    expect(page.get_by_role("status")).to_have_text("Showing 1 decision.")
    assert_accessible_at_both_widths(page, "/inbox/decided/")


def test_notifications_read_on_a_phone_with_enough_contrast(
    new_page: Any, servant: User, reporting_officer: User
) -> None:
    request = approved(submitted_request(servant, topic=LONG_TOPIC), reporting_officer)

    page = new_page(servant.username, PASSWORD)
    page.goto("/notifications/")
    assert_phone_ready(page)
    expect(page.get_by_text("You have 2 unread notifications.")).to_be_visible()
    first = page.get_by_role("listitem").filter(has_text=request.reference).first
    on_screen(page, first.get_by_role("link"))
    on_screen(page, first.get_by_text("new"))
    # Unread and read notifications both: the contrast of each kind of link is checked.
    page.get_by_role("listitem").get_by_role("link").first.click()
    page.goto("/notifications/")
    expect(page.get_by_text("You have 1 unread notification.")).to_be_visible()
    assert_accessible_at_both_widths(page, "/notifications/")


def test_the_exports_list_shows_every_column_on_a_phone(new_page: Any, auditor: User) -> None:
    ExportJob.objects.create(requested_by=auditor, what="requests", fmt="xlsx")
    ExportJob.objects.create(
        requested_by=auditor,
        what="audit_log",
        fmt="csv",
        status="ready",
        rows_written=1_234_567,
        file_size=987_654_321,
        finished_at=timezone.now(),
    )

    page = new_page(auditor.username, PASSWORD)
    page.goto("/audit/exports/")
    assert_phone_ready(page)
    row = page.locator("tbody tr").filter(has_text="Ready to download")
    on_screen(page, cell(row, "Status").get_by_text("Ready to download"))
    on_screen(page, cell(row, "Size"))
    on_screen(page, row.get_by_role("link", name="Download"))
    row = page.locator("tbody tr").filter(has_text="Waiting to start")
    on_screen(page, cell(row, "Status").get_by_text("Waiting to start"))
    assert_accessible_at_both_widths(page, "/audit/exports/")
