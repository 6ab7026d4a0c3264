"""Decisions in bulk in Chromium: the officer ticks three requests in the inbox, approves
them with a condition on the page that lists them, and reads the result; every page
passes axe at desktop and phone widths and nothing breaks the Content-Security-Policy."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from permissions.models import PermissionRequest, User
from permissions.states import Status
from tests.browser.accessibility import PHONE, assert_accessible_at_both_widths
from tests.factories import PASSWORD, UserFactory, submitted_request

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_officer_approves_three_from_the_inbox_with_a_condition(
    new_page: Any, servant: User, reporting_officer: User
) -> None:
    colleague = UserFactory(username="colleague", reporting_officer=reporting_officer)
    chosen = [
        submitted_request(servant, topic="Census radio interview"),
        submitted_request(colleague, topic="Flood relief briefing"),
        submitted_request(servant, topic="Digital services talk"),
    ]
    left = submitted_request(colleague, topic="Budget talk show")

    page = new_page(reporting_officer.username, PASSWORD)
    page.goto("/inbox/")
    assert_accessible_at_both_widths(page, "inbox with ticks")
    for request in chosen:
        page.get_by_label(f"Select {request.reference}").check()
    page.get_by_role("button", name="Decide the selected requests").click()

    page.wait_for_url("**/inbox/bulk/?*")
    expect(page.get_by_role("heading", name="Decide the selected requests")).to_be_visible()
    listed = page.get_by_role("table")
    for request in chosen:
        expect(listed.get_by_role("link", name=request.reference)).to_be_visible()
        expect(listed.get_by_text(request.topic)).to_be_visible()
    expect(listed.get_by_text(left.reference)).to_have_count(0)
    # The questions for approving show once Approve is chosen, and not before.
    conditions = page.get_by_label("The views expressed are personal")
    expect(conditions).to_be_hidden()
    expect(page.get_by_label("Your question to the applicants")).to_be_hidden()
    assert_accessible_at_both_widths(page, "bulk decision page")

    # Sent without a decision: named at the top, nothing decided.
    page.get_by_role("button", name="Record the decision on 3 requests").click()
    summary = page.locator("#error-summary")
    expect(summary.get_by_text("Choose whether to approve or return the requests.")).to_be_visible()
    assert page.title().startswith("Error:")
    assert_accessible_at_both_widths(page, "bulk decision page with a problem")

    page.get_by_label("Approve").check()
    expect(conditions).to_be_visible()
    conditions.check()
    page.get_by_label("Further conditions").fill("Send the published link within a week.")
    page.get_by_role("button", name="Record the decision on 3 requests").click()

    page.wait_for_url("**/inbox/bulk/result/")
    expect(page.get_by_text("3 requests approved.")).to_be_visible()
    decided = page.get_by_role("table")
    for request in chosen:
        row = decided.get_by_role("row").filter(has_text=request.reference)
        expect(row.get_by_text("Valid from")).to_be_visible()
    assert_accessible_at_both_widths(page, "bulk result page")
    page.set_viewport_size(PHONE)
    expect(page.get_by_text("3 requests approved.")).to_be_visible()

    for request in chosen:
        approved = PermissionRequest.objects.get(pk=request.pk)
        assert approved.status == Status.APPROVED
        assert approved.conditions == ["personal_views"]
        assert approved.conditions_text == "Send the published link within a week."
    assert PermissionRequest.objects.get(pk=left.pk).status == Status.PENDING

    page.goto("/inbox/")
    expect(page.get_by_role("status")).to_have_text("Showing 1 request.")
