"""The memorandum's grounds in a real browser: the servant sees those that bear on a
social-media platform beside the question about what they will post, and the officer
rejects citing two of them; every page clean under axe at both widths."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from permissions.models import AuditEvent, PermissionRequest, User
from tests.browser.accessibility import assert_accessible_at_both_widths
from tests.factories import PASSWORD
from tests.grounds.conftest import reseed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_servant_sees_the_grounds_for_social_media_and_officer_rejects_citing_two(
    new_page: Any, servant: User, reporting_officer: User
) -> None:
    reseed()
    page = new_page(servant.username, PASSWORD)
    page.goto("/requests/new/")
    hint = page.locator("#summary-grounds")
    # Before a platform is chosen, every ground.
    expect(hint.get_by_text("Following trends")).to_be_visible()
    expect(hint.get_by_text("Press conferences or media talk without permission")).to_be_visible()

    page.get_by_label("Platform").select_option(label="Facebook")
    expect(hint.get_by_text("Following trends")).to_be_visible()
    expect(hint.get_by_text("Business promotion without permission")).to_be_visible()
    expect(hint.get_by_text("National security")).to_be_visible()
    expect(hint.get_by_text("Press conferences or media talk without permission")).to_be_hidden()
    # Another category, another list; and back.
    page.get_by_label("Platform").select_option(label="Newspaper")
    expect(hint.get_by_text("Following trends")).to_be_hidden()
    page.get_by_label("Platform").select_option(label="Facebook")
    expect(hint.get_by_text("Following trends")).to_be_visible()
    # The question is described by its grounds, for a screen reader too.
    expect(page.get_by_label("What will be said or posted")).to_have_accessible_description(
        re.compile(r"Nothing you say or post may touch on:.*Following trends")
    )
    assert_accessible_at_both_widths(page, "request form with the grounds for Facebook")

    page.get_by_label("Kind of participation").select_option(label="Post or account")
    page.get_by_label("Outlet, programme or handle").fill("facebook.com/ministry-it")
    page.get_by_label("Topic").fill("A post about the new e-office system")
    page.get_by_label("What will be said or posted").fill("How to apply for leave online.")
    page.get_by_label("Personal capacity").check()
    page.get_by_label("Which account will you post from?").select_option(
        label="My personal account"
    )
    event = timezone.localtime() + datetime.timedelta(days=3)
    page.get_by_label("Date and time").fill(event.strftime("%Y-%m-%dT10:00"))
    declaration = page.get_by_label("I have read Rules 18")
    expect(declaration).to_be_visible()
    declaration.check()
    page.get_by_role("button", name="Submit for decision").click()
    page.wait_for_url("**/requests/*/")
    request = PermissionRequest.objects.get(topic="A post about the new e-office system")
    declared = AuditEvent.objects.get(request=request, action="submit").data["declaration"]
    assert len(declared["grounds"]) == 18

    officer = new_page(reporting_officer.username, PASSWORD)
    officer.goto(f"/requests/{request.pk}/decide/")
    officer.get_by_label("Reject").check()
    reasons = officer.locator("#reveal-reasons")
    expect(reasons.get_by_label("Defamation (Rule 21)")).to_be_visible()
    officer.get_by_label("Rule the request would breach").select_option(
        label="Rule 22: Criticism of the Government"
    )
    reasons.get_by_label("Defamation (Rule 21)").check()
    reasons.get_by_label("Following trends (Rule 22)").check()
    officer.get_by_label("Reasons").fill("The post names a colleague and joins a hashtag campaign.")
    assert_accessible_at_both_widths(officer, "decide page, rejecting with grounds")
    officer.get_by_role("button", name="Record decision").click()
    officer.wait_for_url("**/inbox/")

    page.goto(f"/requests/{request.pk}/")
    alert = page.get_by_role("status").filter(has_text="Rejected.")
    expect(alert).to_contain_text("Grounds cited:")
    expect(alert).to_contain_text("Defamation (Rule 21)")
    expect(alert).to_contain_text("Following trends (Rule 22)")
    expect(alert).to_contain_text("The post names a colleague")
    assert_accessible_at_both_widths(page, "rejected request with the grounds cited")
