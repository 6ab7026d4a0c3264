"""Journeys 1 and 2 in a real browser: a servant files, an officer decides."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from permissions.models import PermissionRequest, User
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def fill_request(page: Any, topic: str) -> None:
    page.goto("/requests/new/")
    page.get_by_label("Platform").select_option(label="Newspaper")
    page.get_by_label("Kind of participation").select_option(label="Article or op-ed")
    page.get_by_label("Outlet, programme or handle").fill("Dawn, op-ed pages")
    page.get_by_label("Topic").fill(topic)
    page.get_by_label("What will be said or posted").fill("Why online services save time.")
    page.get_by_label("Personal capacity").check()
    event = timezone.localtime() + datetime.timedelta(days=5)
    page.get_by_label("Date and time").fill(event.strftime("%Y-%m-%dT10:00"))


def test_servant_files_and_officer_approves_with_conditions(
    new_page: Any, servant: User, reporting_officer: User
) -> None:
    page = new_page(servant.username, PASSWORD)
    fill_request(page, "Online services for citizens")
    # Submitting without the declaration keeps everything typed, with the reason beside it.
    page.get_by_role("button", name="Submit for decision").click()
    expect(
        page.locator("#error-summary").get_by_text("Confirm that you have read the rules")
    ).to_be_visible()
    assert page.get_by_label("Topic").input_value() == "Online services for citizens"
    page.get_by_label("I have read Rules 18").check()
    page.get_by_role("button", name="Submit for decision").click()
    page.wait_for_url("**/requests/*/")
    expect(page.get_by_text("has been submitted to")).to_be_visible()
    request = PermissionRequest.objects.get(topic="Online services for citizens")
    assert request.status == "pending"

    officer = new_page(reporting_officer.username, PASSWORD)
    officer.goto("/inbox/")
    officer.get_by_role("link", name=request.reference).click()
    officer.get_by_label("Approve").check()
    officer.get_by_label("The views expressed are personal").check()
    officer.get_by_label("Further conditions").fill("Send the published link within a week.")
    officer.get_by_role("button", name="Record decision").click()
    officer.wait_for_url("**/inbox/")
    expect(officer.get_by_text("Nothing is waiting for you.")).to_be_visible()

    page.goto(f"/requests/{request.pk}/")
    expect(page.get_by_text("Approved: valid from")).to_be_visible()
    expect(page.get_by_text("The views expressed are personal")).to_be_visible()
    expect(
        page.get_by_role("status").get_by_text("Send the published link within a week.")
    ).to_be_visible()


def test_officer_must_give_reasons_and_a_rule_to_reject(
    new_page: Any, servant: User, reporting_officer: User
) -> None:
    page = new_page(servant.username, PASSWORD)
    fill_request(page, "Budget commentary")
    page.get_by_label("I have read Rules 18").check()
    page.get_by_role("button", name="Submit for decision").click()
    page.wait_for_url("**/requests/*/")
    request = PermissionRequest.objects.get(topic="Budget commentary")

    officer = new_page(reporting_officer.username, PASSWORD)
    officer.goto(f"/requests/{request.pk}/decide/")
    officer.get_by_label("Reject").check()
    officer.get_by_role("button", name="Record decision").click()
    expect(
        officer.locator("#error-summary").get_by_text("Choose the rule the request would breach.")
    ).to_be_visible()
    assert PermissionRequest.objects.get(pk=request.pk).status == "pending"
    officer.get_by_label("Rule the request would breach").select_option(
        label="Rule 22: Criticism of the Government"
    )
    officer.get_by_label("Reasons").fill("The commentary would embarrass the Government.")
    officer.get_by_role("button", name="Record decision").click()
    officer.wait_for_url("**/inbox/")

    page.goto(f"/requests/{request.pk}/")
    expect(page.get_by_text("Rejected.")).to_be_visible()
    expect(page.get_by_text("The commentary would embarrass the Government.").first).to_be_visible()
