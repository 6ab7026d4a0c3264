"""The request and decision forms in Chromium: problems named at the top and focused,
each linked to its field; one set of questions at a time, revealed by the answer that
needs them, and all of them without script; a refusal that says why."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from permissions.models import PermissionRequest, User
from tests.browser.accessibility import assert_accessible_at_both_widths
from tests.factories import PASSWORD, submitted_request

from .test_journeys import fill_request

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def test_the_request_form_reveals_each_question_when_its_answer_needs_it(
    new_page: Any, servant: User
) -> None:
    page = new_page(servant.username, PASSWORD)
    page.goto("/requests/new/")

    # Nothing is chosen for the applicant.
    expect(page.get_by_label("Personal capacity")).not_to_be_checked()
    expect(page.get_by_label("Official capacity")).not_to_be_checked()
    # "On one date" is the usual answer: its date shows, the period's does not.
    expect(page.get_by_label("Date and time")).to_be_visible()
    expect(page.get_by_label("From", exact=True)).to_be_hidden()
    page.get_by_label("Over a period").check()
    expect(page.get_by_label("From", exact=True)).to_be_visible()
    expect(page.get_by_label("Date and time")).to_be_hidden()

    justification = page.get_by_label("Why is official information involved?")
    expect(justification).to_be_hidden()
    page.get_by_label("Official information or documents are involved").check()
    expect(justification).to_be_visible()
    expect(page.get_by_label("Official information or documents are involved")).to_have_attribute(
        "aria-controls", "reveal-official-information"
    )

    amount = page.get_by_label("Amount of the honorarium, in rupees")
    expect(amount).to_be_hidden()
    page.get_by_label("An honorarium or fee is offered").check()
    expect(amount).to_be_visible()

    # The account questions are for social media alone.
    account = page.get_by_text("Which account will you post from?")
    expect(account).to_be_hidden()
    page.get_by_label("Platform").select_option(label="Facebook")
    expect(account).to_be_visible()
    assert_accessible_at_both_widths(page, "the request form, every question revealed")


def test_without_script_every_question_shows_under_a_line_saying_when_it_applies(
    new_page: Any, servant: User
) -> None:
    page = new_page(servant.username, PASSWORD, javascript=False)
    page.goto("/requests/new/")

    expect(page.get_by_label("Date and time")).to_be_visible()
    expect(page.get_by_label("From", exact=True)).to_be_visible()
    expect(page.get_by_label("Why is official information involved?")).to_be_visible()
    expect(page.get_by_label("Amount of the honorarium, in rupees")).to_be_visible()
    expect(page.get_by_text("If over a period:")).to_be_visible()


def test_a_failed_submission_names_each_problem_at_the_top_and_leads_to_its_field(
    new_page: Any, servant: User
) -> None:
    page = new_page(servant.username, PASSWORD)
    fill_request(page, "Exam results on radio")
    page.get_by_label("What will be said or posted").fill("")
    page.get_by_role("button", name="Submit for decision").click()

    draft = PermissionRequest.objects.get(topic="Exam results on radio")
    page.wait_for_url(f"**/requests/{draft.pk}/edit/")
    expect(page).to_have_title(f"Error: Edit {draft.reference} · Conduct Portal")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Summarise what you will say or post.",
            "Confirm that you have read the rules cited and will comply with them.",
        ]
    )
    summary.get_by_role("link", name="Confirm that you have read the rules").click()
    expect(page.get_by_label("I have read Rules 18")).to_be_focused()
    expect(page.get_by_label("I have read Rules 18")).to_be_in_viewport()
    # What was typed is kept.
    expect(page.get_by_label("Topic")).to_have_value("Exam results on radio")
    assert_accessible_at_both_widths(page, "the request form with its problems")


def test_the_decide_page_shows_one_decisions_questions_at_a_time(
    new_page: Any, servant: User, reporting_officer: User
) -> None:
    request = submitted_request(servant)
    page = new_page(reporting_officer.username, PASSWORD)
    page.goto(f"/requests/{request.pk}/decide/")

    conditions = page.get_by_text("The views expressed are personal")
    rule = page.get_by_label("Rule the request would breach")
    reasons = page.get_by_label("Reasons")
    for question in (conditions, rule, reasons):
        expect(question).to_be_hidden()
    page.get_by_label("Approve").check()
    expect(conditions).to_be_visible()
    expect(rule).to_be_hidden()
    expect(reasons).to_be_hidden()
    page.get_by_label("Return for clarification").check()
    expect(reasons).to_be_visible()
    expect(rule).to_be_hidden()
    expect(conditions).to_be_hidden()

    page.get_by_role("button", name="Record decision").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Your decision was not recorded.")
    expect(summary.get_by_role("link")).to_have_text(
        ["Give the reasons; the applicant will read them."]
    )
    expect(page).to_have_title(f"Error: Decide {request.reference} · Conduct Portal")
    # The chosen decision's questions stay open with the problem beside them.
    expect(reasons).to_be_visible()
    summary.get_by_role("link").click()
    expect(reasons).to_be_focused()
    assert_accessible_at_both_widths(page, "the decide page with its problem")
    assert PermissionRequest.objects.get(pk=request.pk).status == "pending"


def test_a_servant_on_the_decide_address_of_her_own_request_is_told_why(
    new_page: Any, servant: User
) -> None:
    request = submitted_request(servant)
    page = new_page(servant.username, PASSWORD)

    page.goto(f"/requests/{request.pk}/decide/")

    page.wait_for_url(f"**/requests/{request.pk}/")
    expect(page.get_by_text("is your own request: your officers decide on it")).to_be_visible()
    expect(page).to_have_title(f"{request.reference} — details · Conduct Portal")
