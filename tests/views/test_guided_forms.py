"""The request and decision forms guide as GOV.UK's do: problems named at the top and
linked to their fields, the title saying so, optional questions marked, nothing chosen
for the applicant, and a refusal that says why."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from permissions.models import PermissionRequest, User
from permissions.states import Status
from tests.factories import submitted_request

from .conftest import field_block, request_form_data

pytestmark = pytest.mark.django_db

Browser = Callable[[User], Client]


def error_summary(html: str) -> list[tuple[str, str]]:
    """(link target, message) for each problem in the summary at the top of the page."""
    start = html.index('id="error-summary"')
    end = html.index("</div>", start)
    return re.findall(r'<a class="alert-link" href="#([^"]+)">([^<]+)</a>', html[start:end])


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()  # type: ignore[union-attr]


def test_the_new_form_chooses_no_capacity_and_marks_only_the_optional_questions(
    browser: Browser, servant: User
) -> None:
    html = browser(servant).get("/requests/new/").content.decode()

    assert title(html).startswith("New request")
    assert "checked" not in field_block(html, "capacity")
    assert "(optional)" in field_block(html, "outlet_url")
    assert "(optional)" in field_block(html, "attachments")
    for needed in ("outlet", "summary", "topic", "capacity"):
        assert "(optional)" not in field_block(html, needed)
    assert "asteriskField" not in html
    # Each conditional question names the answer that reveals it.
    for block in (
        'data-shown-when="timing=one_off"',
        'data-shown-when="timing=period"',
        'data-shown-when="official_information=on"',
        'data-shown-when="honorarium=on"',
    ):
        assert block in html


def test_a_submission_without_a_capacity_is_stopped_beside_it(
    browser: Browser, servant: User
) -> None:
    response = browser(servant).post(
        "/requests/new/",
        request_form_data(capacity=None, declaration="on", submit=""),
        follow=True,
    )

    draft = PermissionRequest.objects.get()
    assert draft.status == Status.DRAFT
    assert draft.capacity == ""
    html = response.content.decode()
    assert (
        "id_capacity_0",
        "Say whether you will take part in a personal or an official capacity.",
    ) in error_summary(html)


def test_a_failed_submission_lists_every_problem_at_the_top_linked_to_its_field(
    browser: Browser, servant: User
) -> None:
    response = browser(servant).post(
        "/requests/new/",
        request_form_data(outlet="", summary="", submit=""),
        follow=True,
    )

    html = response.content.decode()
    draft = PermissionRequest.objects.get()
    assert title(html).startswith(f"Error: Edit {draft.reference}")
    assert error_summary(html) == [
        ("id_outlet", "Name the channel, programme, newspaper, page or handle."),
        ("id_summary", "Summarise what you will say or post."),
        ("id_declaration", "Confirm that you have read the rules cited and will comply with them."),
    ]
    assert "Your changes are saved as a draft." in html


def test_the_problems_are_shown_once_and_a_ticked_declaration_stays_ticked(
    browser: Browser, servant: User
) -> None:
    applicant = browser(servant)
    response = applicant.post(
        "/requests/new/", request_form_data(summary="", declaration="on", submit=""), follow=True
    )
    draft = PermissionRequest.objects.get()
    assert "checked" in field_block(response.content.decode(), "declaration")

    again = applicant.get(f"/requests/{draft.pk}/edit/").content.decode()

    assert 'id="error-summary"' not in again
    assert title(again).startswith(f"Edit {draft.reference}")


def test_a_decision_without_reasons_is_named_at_the_top(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    request = submitted_request(servant)

    response = browser(reporting_officer).post(
        f"/requests/{request.pk}/decide/", {"decision": "return"}
    )

    html = response.content.decode()
    assert title(html).startswith(f"Error: Decide {request.reference}")
    assert "Your decision was not recorded." in html
    assert error_summary(html) == [("id_reason", "Give the reasons; the applicant will read them.")]
    # One decision's questions at a time: each block names the choice that reveals it.
    assert 'data-shown-when="decision=approve"' in html
    assert 'data-shown-when="decision=reject"' in html
    assert 'data-shown-when="decision=reject,return"' in html


def test_a_servant_on_the_decide_address_of_her_own_request_is_told_why(
    browser: Browser, servant: User
) -> None:
    request = submitted_request(servant)

    response = browser(servant).get(f"/requests/{request.pk}/decide/", follow=True)

    assert response.redirect_chain == [(f"/requests/{request.pk}/", 302)]
    assert f"{request.reference} is your own request: your officers decide on it" in (
        response.content.decode()
    )


def test_an_officer_on_a_request_not_waiting_for_him_is_told_its_status(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    request = submitted_request(servant)
    browser(reporting_officer).post(
        f"/requests/{request.pk}/decide/",
        {"decision": "return", "reason": "Which programme?"},
    )

    response = browser(reporting_officer).get(f"/requests/{request.pk}/decide/", follow=True)

    assert (
        f"{request.reference} is not waiting for your decision: it is Returned for clarification."
        in response.content.decode()
    )


def test_the_detail_page_is_titled_as_details(browser: Browser, servant: User) -> None:
    request = submitted_request(servant)

    html = browser(servant).get(f"/requests/{request.pk}/").content.decode()

    assert title(html).startswith(f"{request.reference} — details")


def test_every_form_with_a_problem_says_so_in_the_title_and_at_the_top(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    client = browser(servant)

    delegation = client.post("/profile/delegations/", {"delegate": "", "reason": ""})
    password = client.post("/password/", {"old_password": "wrong"})

    for response in (delegation, password):
        html = response.content.decode()
        assert title(html).startswith("Error: "), title(html)
        assert error_summary(html), "no error summary"
    assert ("id_delegate", "This field is required.") in error_summary(delegation.content.decode())
