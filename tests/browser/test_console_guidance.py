"""The audit console read in Chromium as an auditor reads it, at a desk and on a 390-px
phone: nothing axe counts as serious, nothing cut off or scrolled sideways, the number of
results said in words, the filters beyond the first three folded away, and the charts'
labels whole and readable."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from permissions import audit, workflow
from permissions.console import dashboard
from permissions.models import User
from tests.browser.accessibility import (
    DESKTOP,
    PHONE,
    assert_accessible_at_both_widths,
    overflowing_elements,
)
from tests.factories import PASSWORD, submitted_request

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LONG_TOPIC = (
    "Interdepartmental coordination of provincial flood relief and reconstruction "
    "financing for the districts of southern Punjab and Sindh"
)


@pytest.fixture
def history(servant: User, reporting_officer: User, auditor: User) -> int:
    """Three requests (one approved, with a long topic), a verified chain, and fresh
    dashboard figures; the approved request's id."""
    approved = submitted_request(servant, topic=LONG_TOPIC, outlet="Pakistan Television")
    workflow.approve(approved.pk, by=reporting_officer)
    submitted_request(servant, topic="Budget briefing")
    submitted_request(servant, topic="Polio campaign interview")
    audit.run_verification(by=auditor, content=True)
    dashboard.refresh()  # as beat does: without a worker here, a visit would only ask
    return approved.pk


def _usable_at_both_widths(page: Any, path: str) -> None:
    page.goto(path)
    assert_accessible_at_both_widths(page, path)
    page.set_viewport_size(PHONE)
    assert overflowing_elements(page) == [], path
    page.set_viewport_size(DESKTOP)


def test_every_console_page_reads_whole_at_both_widths(
    new_page: Any, auditor: User, history: int
) -> None:
    page = new_page(auditor.username, PASSWORD)
    for path in (
        "/audit/",
        "/audit/requests/",
        f"/audit/requests/{history}/",
        "/audit/log/",
        "/audit/verification/",
    ):
        _usable_at_both_widths(page, path)


def test_the_request_search_says_how_many_and_folds_the_rarer_filters(
    new_page: Any, auditor: User, history: int
) -> None:
    page = new_page(auditor.username, PASSWORD)
    page.goto("/audit/requests/")

    expect(page.locator("#results-count")).to_have_text("3 requests")
    expect(page.locator("#results-count")).to_have_attribute("aria-live", "polite")
    more = page.locator("details.console-more-filters")
    expect(more.locator("summary")).to_have_text("More filters")
    expect(more).not_to_have_attribute("open", "")
    expect(page.get_by_label("Decided by")).to_be_hidden()
    for always_shown in ("Topic or outlet", "Status", "Organisation"):
        expect(page.get_by_label(always_shown, exact=True)).to_be_visible()

    more.locator("summary").click()
    page.get_by_label("Decided by").fill("nobody-decided-these")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**decided_by=nobody-decided-these**")

    expect(page.locator("#results-count")).to_have_text("0 requests")
    expect(page.locator("details.console-more-filters")).to_have_attribute("open", "")
    expect(page.get_by_label("Decided by")).to_have_value("nobody-decided-these")

    page.get_by_label("Decided by").fill("")
    page.get_by_label("Topic or outlet").fill("flood relief")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**text=flood+relief**")
    expect(page.locator("#results-count")).to_have_text("1 request")
    expect(page.locator("details.console-more-filters")).not_to_have_attribute("open", "")


def test_the_audit_log_says_how_many_events(new_page: Any, auditor: User, history: int) -> None:
    page = new_page(auditor.username, PASSWORD)
    page.goto("/audit/log/?action=approve")
    expect(page.locator("#results-count")).to_have_text("1 event")
    expect(page.locator("details.console-more-filters summary")).to_have_text("More filters")


def test_the_chart_labels_wrap_whole_at_a_readable_size(
    new_page: Any, auditor: User, history: int
) -> None:
    page = new_page(auditor.username, PASSWORD)
    page.goto("/audit/")
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        labels = page.locator(".console-chart-label")
        expect(labels.first).to_be_visible()
        for label in labels.all():
            font_size = label.evaluate("element => parseFloat(getComputedStyle(element).fontSize)")
            assert font_size >= 12
            # Whole: its text is not cut off by its box, nor shortened with an ellipsis.
            assert label.evaluate("element => element.scrollWidth <= element.clientWidth")
            assert "…" not in label.inner_text()


def test_the_dashboard_explains_its_figures_before_defining_them_after_the_charts(
    new_page: Any, auditor: User, history: int
) -> None:
    page = new_page(auditor.username, PASSWORD)
    page.goto("/audit/")
    expect(page.locator("#figure-overdue .console-figure-meaning")).to_contain_text(
        "waiting for a decision now, across every organisation"
    )
    order = page.evaluate(
        """() => [...document.querySelectorAll("#key-figures, #chart-status-heading, #definitions")]
            .map(element => element.id)"""
    )
    assert order == ["key-figures", "chart-status-heading", "definitions"]


def test_the_verification_page_says_what_a_recorded_head_is(
    new_page: Any, auditor: User, history: int
) -> None:
    page = new_page(auditor.username, PASSWORD)
    page.goto("/audit/verification/")
    expect(page.locator("#heads-checked")).to_contain_text("0")
    expect(page.locator("#heads-checked-meaning")).to_contain_text("none has been recorded yet")
