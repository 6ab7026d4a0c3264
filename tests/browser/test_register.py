"""The register of accounts and groups in Chromium: a servant declares, asks permission
for a group, her officer approves it, and an auditor finds and exports the entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from permissions.models import PermissionRequest, User
from tests.browser.accessibility import assert_accessible_at_both_widths
from tests.factories import PASSWORD
from tests.helpers import tasks_run_here  # noqa: F401  (the export job runs in the server)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def declare_account(page: Any, handle: str, capacity: str) -> None:
    page.get_by_role("link", name="Declare an account").click()
    page.get_by_label("Platform").select_option(label="X (Twitter)")
    page.get_by_label("Handle or address").fill(handle)
    page.get_by_label(capacity).check()
    page.get_by_role("button", name="Declare it").click()
    expect(page.get_by_text(f"{handle} (X (Twitter)) is in your register.")).to_be_visible()


def test_a_group_declared_asked_for_approved_and_found_by_the_auditor(
    new_page: Any, servant: User, reporting_officer: User, auditor: User
) -> None:
    page = new_page(servant.username, PASSWORD)
    page.goto("/register/")
    assert_accessible_at_both_widths(page, "the register, empty")
    declare_account(page, "@ayesha.writes", "Personal capacity")
    declare_account(page, "@moitt_pk", "Official capacity")
    page.get_by_role("link", name="Declare a group").click()
    page.get_by_label("Platform").select_option(label="WhatsApp")
    page.get_by_label("Name of the group").fill("Tehsil relief volunteers")
    page.get_by_label("What the group is for").fill("Coordinating volunteers in the floods.")
    page.get_by_label("51 to 250 members").check()
    page.get_by_label("I administer it").check()
    page.get_by_role("button", name="Declare it").click()
    assert_accessible_at_both_widths(page, "the register with three entries")

    page.get_by_role("button", name="Ask permission Tehsil relief volunteers").click()
    page.wait_for_url("**/requests/*/edit/")
    expect(page.get_by_label("Outlet, programme or handle")).to_have_value(
        "Tehsil relief volunteers"
    )
    page.get_by_label("I have read Rules 18").check()
    page.get_by_role("button", name="Submit for decision").click()
    page.wait_for_url("**/requests/*/")
    request = PermissionRequest.objects.get(outlet="Tehsil relief volunteers")
    assert request.status == "pending"

    officer = new_page(reporting_officer.username, PASSWORD)
    officer.goto(f"/requests/{request.pk}/decide/")
    officer.get_by_label("Approve").check()
    officer.get_by_role("button", name="Record decision").click()
    officer.wait_for_url("**/inbox/")

    page.goto("/register/")
    row = page.get_by_role("row").filter(has_text="Tehsil relief volunteers")
    expect(row.get_by_role("link", name=request.reference)).to_be_visible()
    expect(row.get_by_text("Approved")).to_be_visible()

    audit = new_page(auditor.username, PASSWORD)
    audit.goto("/register/search/")
    audit.get_by_label("Handle or group name contains").fill("moitt")
    audit.get_by_role("button", name="Search").click()
    expect(audit.get_by_role("cell", name="@moitt_pk")).to_be_visible()
    assert_accessible_at_both_widths(audit, "the register search")
    # Written by an export job, as the console's lists are: its page follows it until
    # the file is ready, then gives it out.
    audit.get_by_role("button", name="Export as CSV").click()
    audit.wait_for_url("**/audit/exports/*/")
    expect(audit.get_by_role("heading", name="Register of accounts as CSV")).to_be_visible()
    expect(audit.locator("#export-status")).to_have_text("Ready to download")
    with audit.expect_download() as download:
        audit.get_by_role("link", name="Download").click()
    assert download.value.suggested_filename.startswith("register-accounts-")
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "'@moitt_pk" in content
    assert "@ayesha.writes" not in content
