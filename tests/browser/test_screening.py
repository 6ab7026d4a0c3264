"""The pre-screening in a real browser: a servant submits a text in English and Urdu
that trips the lists; the officer deciding sees the passages marked, in the text's own
direction, with the grounds named; the servant's own page says nothing of it. Every page
clean under axe at both widths."""

from __future__ import annotations

import datetime
import importlib
from typing import Any

import pytest
from django.apps import apps
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


def test_the_officer_sees_the_flagged_passages_marked_and_the_servant_does_not(
    new_page: Any, servant: User, reporting_officer: User
) -> None:
    reseed()
    importlib.import_module("permissions.screening.migrations.0002_seed_phrases").seed(apps, None)
    page = new_page(servant.username, PASSWORD)
    page.goto("/requests/new/")
    page.get_by_label("Platform").select_option(label="Facebook")
    page.get_by_label("Kind of participation").select_option(label="Post or account")
    page.get_by_label("Outlet, programme or handle").fill("facebook.com/wheat-board")
    page.get_by_label("Topic").fill("Wheat prices this winter")
    page.get_by_label("What will be said or posted").fill(
        "The government's policy on wheat, and why farmers plan a protest.\n"
        "کسان سڑکیں بند کرنے کا سوچ رہے ہیں۔"
    )
    page.get_by_label("Personal capacity").check()
    page.get_by_label("Which account will you post from?").select_option(
        label="My personal account"
    )
    event = timezone.localtime() + datetime.timedelta(days=3)
    page.get_by_label("Date and time").fill(event.strftime("%Y-%m-%dT10:00"))
    # The Urdu typed above brings in the Urdu web font, which lays the page out again
    # when it arrives: wait for it, so the click lands where the box then is.
    page.evaluate("() => document.fonts.ready.then(() => true)")
    page.get_by_label("I have read Rules 18").check()
    page.get_by_role("button", name="Submit for decision").click()
    page.wait_for_url("**/requests/*/")
    request = PermissionRequest.objects.get(topic="Wheat prices this winter")
    # Nothing of the screening on the servant's own page.
    expect(page.get_by_role("heading", name="Details")).to_be_visible()
    expect(page.get_by_text("Pre-screening")).to_have_count(0)

    flags = AuditEvent.objects.get(request=request, action="submit").data["checks"]["screening"]
    assert [flag["words"] for flag in flags["flags"]] == [
        "government's policy",
        "protest",
        "سڑکیں بند",
    ]

    officer = new_page(reporting_officer.username, PASSWORD)
    officer.goto(f"/requests/{request.pk}/decide/")
    panel = officer.locator("section.screening")
    expect(panel.get_by_role("heading", level=2)).to_have_text(
        "Pre-screening: 3 passages to read closely"
    )
    marks = panel.locator("mark")
    expect(marks).to_have_text(["government's policy", "protest", "سڑکیں بند"])
    expect(panel.get_by_text("Public order (Rule 21)")).to_have_count(2)
    # The marked copy keeps the servant's line break and takes the text's own direction.
    assert panel.locator("p.screening-text").get_attribute("dir") == "auto"
    white_space = panel.locator("p.screening-text").evaluate("e => getComputedStyle(e).whiteSpace")
    assert white_space == "pre-line"
    # The flags decide nothing: no decision is chosen.
    expect(officer.get_by_label("Approve")).not_to_be_checked()
    expect(officer.get_by_label("Reject")).not_to_be_checked()
    assert_accessible_at_both_widths(officer, "decide page with pre-screening flags")
