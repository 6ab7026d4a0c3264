"""The servant's and the officers' journeys, through the pages only."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from permissions import workflow
from permissions.models import (
    ApprovalStep,
    AuditEvent,
    ConductRule,
    Delegation,
    PermissionRequest,
    RoutingRule,
    User,
)
from permissions.models.requests import StandardCondition
from permissions.states import Status
from tests.factories import UserFactory, draft_request, submitted_request

from .conftest import (
    assert_error_beside,
    field_block,
    field_errors,
    in_days,
    request_form_data,
    section,
    shown,
)

pytestmark = pytest.mark.django_db

Browser = Callable[[User], Client]


def _created_pk(response: Any) -> int:
    match = re.fullmatch(r"/requests/(\d+)/edit/", response["Location"])
    assert match is not None, response["Location"]
    return int(match.group(1))


def _file_and_submit(client: Client, **overrides: object) -> PermissionRequest:
    """Save a draft through the form, then submit it from its edit page."""
    response = client.post("/requests/new/", request_form_data(save="", **overrides))
    assert response.status_code == 302
    pk = _created_pk(response)
    response = client.post(
        f"/requests/{pk}/edit/",
        request_form_data(submit="", declaration="on", **overrides),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/requests/{pk}/"
    return PermissionRequest.objects.get(pk=pk)


def _approve(client: Client, pk: int, **extra: object) -> Any:
    return client.post(f"/requests/{pk}/decide/", {"decision": "approve", **extra}, follow=True)


def _timeline(client: Client, pk: int) -> str:
    return section(client.get(f"/requests/{pk}/").content.decode(), "Timeline")


def test_draft_edit_submit_and_approval_with_conditions(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    applicant = browser(servant)

    response = applicant.post(
        "/requests/new/", request_form_data(topic="Census results", save=""), follow=True
    )
    pk = int(response.redirect_chain[-1][0].split("/")[2])
    draft = PermissionRequest.objects.get(pk=pk)
    html = response.content.decode()
    assert f"Draft {draft.reference} saved." in html
    assert 'value="Census results"' in html
    assert draft.status == Status.DRAFT

    response = applicant.post(
        f"/requests/{pk}/edit/", request_form_data(topic="Census 2026 results", save="")
    )
    assert response["Location"] == f"/requests/{pk}/edit/"
    assert PermissionRequest.objects.get(pk=pk).topic == "Census 2026 results"

    response = applicant.post(
        f"/requests/{pk}/edit/",
        request_form_data(topic="Census 2026 results", submit="", declaration="on"),
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/requests/{pk}/"
    assert f"{draft.reference} has been submitted to {reporting_officer}" in html
    assert "Pending" in html

    officer = browser(reporting_officer)
    inbox = officer.get("/inbox/").content.decode()
    assert draft.reference in inbox
    assert f'href="/requests/{pk}/decide/"' in inbox
    assert officer.get(f"/requests/{pk}/decide/").status_code == 200

    valid_from, valid_until = in_days(7), in_days(37)
    response = _approve(
        officer,
        pk,
        valid_from=valid_from.isoformat(),
        valid_until=valid_until.isoformat(),
        conditions=["personal_views", "no_designation"],
    )
    assert response.redirect_chain[-1][0] == "/inbox/"
    html = response.content.decode()
    assert f"Your decision on {draft.reference} is recorded." in html
    assert draft.reference not in section(html, "Awaiting me")

    detail = applicant.get(f"/requests/{pk}/").content.decode()
    assert "Approved" in detail
    assert f"valid from {shown(valid_from)} until {shown(valid_until)}" in detail
    assert str(StandardCondition.PERSONAL_VIEWS.label) in detail
    assert str(StandardCondition.NO_DESIGNATION.label) in detail
    assert str(StandardCondition.NO_OFFICIAL_INFORMATION.label) not in detail
    decided = officer.get("/inbox/decided/").content.decode()
    assert draft.reference in decided


def test_an_approval_cannot_end_in_the_past(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    request = submitted_request(servant)
    officer = browser(reporting_officer)  # signing in is itself an audit event
    events = AuditEvent.objects.count()

    response = _approve(
        officer,
        request.pk,
        valid_from=in_days(-10).isoformat(),
        valid_until=in_days(-1).isoformat(),
    )

    assert response.status_code == 200
    assert_error_beside(
        response.content.decode(), "valid_until", "An approval cannot end in the past."
    )
    assert PermissionRequest.objects.get(pk=request.pk).status == Status.PENDING
    assert AuditEvent.objects.count() == events


def test_further_conditions_fit_on_the_letter_or_are_refused_beside_the_field(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    request = submitted_request(servant)
    officer = browser(reporting_officer)
    events = AuditEvent.objects.count()

    response = _approve(officer, request.pk, conditions_text="Say only this. " * 50)

    assert response.status_code == 200
    html = response.content.decode()
    assert_error_beside(html, "conditions_text", "at most 600 characters")
    # What the officer typed is kept for them to shorten.
    assert "Say only this. Say only this." in html
    assert PermissionRequest.objects.get(pk=request.pk).status == Status.PENDING
    assert AuditEvent.objects.count() == events


def test_rejection_needs_reasons_and_a_rule(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    applicant = browser(servant)
    request = _file_and_submit(applicant)
    officer = browser(reporting_officer)
    events = AuditEvent.objects.count()

    response = officer.post(f"/requests/{request.pk}/decide/", {"decision": "reject"})

    html = response.content.decode()
    assert response.status_code == 200
    assert_error_beside(html, "reason", "Give the reasons; the applicant will read them.")
    assert_error_beside(html, "rule", "Choose the rule the request would breach.")
    assert field_errors(html) == {"reason", "rule"}
    assert PermissionRequest.objects.get(pk=request.pk).status == Status.PENDING
    assert AuditEvent.objects.count() == events

    rule = ConductRule.objects.get(number="22")
    response = officer.post(
        f"/requests/{request.pk}/decide/",
        {"decision": "reject", "rule": rule.pk, "reason": "The talk would criticise policy."},
    )
    assert response["Location"] == "/inbox/"

    detail = applicant.get(f"/requests/{request.pk}/").content.decode()
    assert "Rejected." in detail
    assert "Rule 22" in detail
    assert "The talk would criticise policy." in detail
    assert f'href="/requests/{request.pk}/edit/"' not in detail
    assert applicant.get(f"/requests/{request.pk}/edit/")["Location"] == (
        f"/requests/{request.pk}/"
    )


def test_returned_request_is_amended_resubmitted_and_approved(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    applicant = browser(servant)
    request = _file_and_submit(applicant, outlet="PTV")
    officer = browser(reporting_officer)

    response = officer.post(f"/requests/{request.pk}/decide/", {"decision": "return"})
    assert_error_beside(
        response.content.decode(), "reason", "Give the reasons; the applicant will read them."
    )
    response = officer.post(
        f"/requests/{request.pk}/decide/",
        {"decision": "return", "reason": "Name the programme and its host."},
    )
    assert response["Location"] == "/inbox/"

    detail = applicant.get(f"/requests/{request.pk}/").content.decode()
    assert "Returned for clarification." in detail
    assert "Name the programme and its host." in detail
    assert "Amend and resubmit" in detail
    form_page = applicant.get(f"/requests/{request.pk}/edit/").content.decode()
    assert "Name the programme and its host." in form_page
    assert "Resubmit" in form_page

    response = applicant.post(
        f"/requests/{request.pk}/edit/",
        request_form_data(
            outlet="PTV News, 'Policy Matters' with A. Khan", submit="", declaration="on"
        ),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/requests/{request.pk}/"
    resubmitted = PermissionRequest.objects.get(pk=request.pk)
    assert resubmitted.status == Status.PENDING
    assert resubmitted.round == 2
    assert resubmitted.outlet == "PTV News, 'Policy Matters' with A. Khan"
    assert request.reference in officer.get("/inbox/").content.decode()

    _approve(officer, request.pk)
    detail = applicant.get(f"/requests/{request.pk}/").content.decode()
    assert "Approved: valid from" in detail
    timeline = section(detail, "Timeline")
    for label in ["Submitted", "Returned for clarification", "Amended", "Resubmitted", "Approved"]:
        assert label in timeline


def test_two_step_chain_is_approved_by_the_countersigning_officer(
    browser: Browser, servant: User, reporting_officer: User, countersigning_officer: User
) -> None:
    RoutingRule.objects.create(
        name="Television appearances",
        target=RoutingRule.Target.COUNTERSIGNING_OFFICER,
        platform_categories=["television"],
    )
    applicant = browser(servant)
    request = _file_and_submit(applicant)
    chain = section(applicant.get(f"/requests/{request.pk}/").content.decode(), "Approval chain")
    assert "Television appearances" in chain and str(countersigning_officer) in chain

    first = browser(reporting_officer)
    decide_page = first.get(f"/requests/{request.pk}/decide/").content.decode()
    assert "Step 1 of 2" in decide_page
    assert "A later officer sets how long the approval is valid." in decide_page
    _approve(first, request.pk, conditions=["report_afterwards"])
    assert PermissionRequest.objects.get(pk=request.pk).status == Status.PENDING
    assert request.reference not in section(first.get("/inbox/").content.decode(), "Awaiting me")

    second = browser(countersigning_officer)
    assert request.reference in second.get("/inbox/").content.decode()
    response = _approve(
        second,
        request.pk,
        valid_from=in_days(7).isoformat(),
        valid_until=in_days(8).isoformat(),
        conditions=["personal_views"],
    )
    assert response.redirect_chain[-1][0] == "/inbox/"

    detail = applicant.get(f"/requests/{request.pk}/").content.decode()
    assert f"valid from {shown(in_days(7))} until {shown(in_days(8))}" in detail
    assert str(StandardCondition.REPORT_AFTERWARDS.label) in detail
    assert str(StandardCondition.PERSONAL_VIEWS.label) in detail
    assert [step.acted_by_id for step in ApprovalStep.objects.filter(request=request)] == [
        reporting_officer.pk,
        countersigning_officer.pk,
    ]


def test_withdrawal_through_the_confirmation_page(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    applicant = browser(servant)
    request = _file_and_submit(applicant)

    page = applicant.get(f"/requests/{request.pk}/withdraw/").content.decode()
    assert f"Withdraw {request.reference}?" in page
    assert PermissionRequest.objects.get(pk=request.pk).status == Status.PENDING

    response = applicant.post(
        f"/requests/{request.pk}/withdraw/",
        {"reason": "The programme was cancelled."},
        follow=True,
    )
    html = response.content.decode()
    assert f"{request.reference} has been withdrawn." in html
    assert "The programme was cancelled." in section(html, "Timeline")
    assert PermissionRequest.objects.get(pk=request.pk).status == Status.WITHDRAWN
    assert request.reference not in browser(reporting_officer).get("/inbox/").content.decode()


def test_withdrawal_needs_no_reason(browser: Browser, servant: User) -> None:
    request = submitted_request(servant)

    browser(servant).post(f"/requests/{request.pk}/withdraw/")

    assert PermissionRequest.objects.get(pk=request.pk).status == Status.WITHDRAWN


def test_approving_officer_revokes_with_reasons(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    request = submitted_request(servant)
    workflow.approve(request.pk, by=reporting_officer)
    officer = browser(reporting_officer)
    detail = officer.get(f"/requests/{request.pk}/").content.decode()
    assert f'href="/requests/{request.pk}/revoke/"' in detail

    page = officer.get(f"/requests/{request.pk}/revoke/").content.decode()
    assert f"Revoke the approval of {request.reference}?" in page
    response = officer.post(f"/requests/{request.pk}/revoke/", {"reason": "  "})
    assert response.status_code == 200
    assert_error_beside(response.content.decode(), "reason", "This field is required.")
    assert "<title>Error: Revoke" in response.content.decode()
    assert '<a class="alert-link" href="#id_reason">' in response.content.decode()
    assert PermissionRequest.objects.get(pk=request.pk).status == Status.APPROVED

    response = officer.post(
        f"/requests/{request.pk}/revoke/",
        {"reason": "The programme's format changed."},
        follow=True,
    )
    assert f"The approval of {request.reference} is revoked." in response.content.decode()
    applicant_view = browser(servant).get(f"/requests/{request.pk}/").content.decode()
    assert "The approval was revoked." in applicant_view
    assert "The programme&#x27;s format changed." in applicant_view
    assert f'href="/requests/{request.pk}/revoke/"' not in applicant_view


def test_renewal_starts_a_draft_that_points_at_the_approval(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    approved = submitted_request(servant, topic="Weekly radio talk")
    # Valid from today: a permission can be renewed only once it has started.
    started = workflow.Approval(valid_from=timezone.localdate())
    workflow.approve(approved.pk, by=reporting_officer, approval=started)
    applicant = browser(servant)
    assert "Renew" in applicant.get(f"/requests/{approved.pk}/").content.decode()

    response = applicant.post(f"/requests/{approved.pk}/renew/", follow=True)

    renewal = PermissionRequest.objects.exclude(pk=approved.pk).get()
    assert response.redirect_chain[-1][0] == f"/requests/{renewal.pk}/edit/"
    assert (renewal.status, renewal.renews_id, renewal.topic) == (
        Status.DRAFT,
        approved.pk,
        "Weekly radio talk",
    )
    assert renewal.event_at is None
    html = response.content.decode()
    assert f"Draft {renewal.reference} renews {approved.reference}." in html
    assert 'value="Weekly radio talk"' in html
    detail = applicant.get(f"/requests/{renewal.pk}/").content.decode()
    assert f'<a href="/requests/{approved.pk}/">{approved.reference}</a>' in detail


def test_incomplete_submission_is_kept_as_a_draft_with_messages_beside_the_fields(
    browser: Browser, servant: User
) -> None:
    applicant = browser(servant)

    response = applicant.post(
        "/requests/new/",
        request_form_data(
            topic="Dengue season advice",
            summary="Where to get tested and how to report breeding sites.",
            official_information="on",
            submit="",
        ),
        follow=True,
    )

    html = response.content.decode()
    draft = PermissionRequest.objects.get()
    # The saved draft's own address, so that the address, the title and the page agree.
    assert response.redirect_chain == [(f"/requests/{draft.pk}/edit/", 302)]
    assert f"<title>Error: Edit {draft.reference}" in html
    assert (draft.status, draft.topic, draft.official_information) == (
        Status.DRAFT,
        "Dengue season advice",
        True,
    )
    assert "The request is not complete yet." in html
    assert "Your changes are saved as a draft." in html
    assert_error_beside(
        html,
        "official_information_justification",
        "Explain why official information or documents are involved (Rule 18).",
    )
    assert_error_beside(
        html, "declaration", "Confirm that you have read the rules cited and will comply with them."
    )
    assert field_errors(html) == {"official_information_justification", "declaration"}
    assert 'value="Dengue season advice"' in field_block(html, "topic")
    assert "Where to get tested and how to report breeding sites." in field_block(html, "summary")
    assert "checked" in field_block(html, "official_information")
    # Sending the corrected form again changes this draft rather than filing another.
    assert f'action="/requests/{draft.pk}/edit/"' in html

    response = applicant.post(
        f"/requests/{draft.pk}/edit/",
        request_form_data(
            topic="Dengue season advice",
            official_information="on",
            official_information_justification="The district's case figures, already public.",
            declaration="on",
            submit="",
        ),
    )
    assert response["Location"] == f"/requests/{draft.pk}/"
    assert PermissionRequest.objects.get().status == Status.PENDING


def test_a_draft_needs_platform_kind_and_topic(browser: Browser, servant: User) -> None:
    response = browser(servant).post(
        "/requests/new/", request_form_data(topic="", participation="", save="")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "The request was not saved." in html
    assert "<title>Error: New request" in html
    assert field_errors(html) == {"topic", "participation"}
    assert "PTV News" in field_block(html, "outlet")
    assert not PermissionRequest.objects.exists()


def test_a_delegate_decides_for_the_officer(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    delegate = UserFactory(username="acting", designation="Deputy Secretary (acting)", bps=19)
    Delegation.objects.create(
        delegator=reporting_officer, delegate=delegate, starts_on=in_days(-1), ends_on=in_days(5)
    )
    request = submitted_request(servant)
    acting = browser(delegate)
    inbox = section(acting.get("/inbox/").content.decode(), "Awaiting me")
    assert request.reference in inbox
    assert f"for {reporting_officer}" in inbox

    _approve(acting, request.pk)

    timeline = _timeline(browser(servant), request.pk)
    assert f"{delegate.get_full_name()} for {reporting_officer.get_full_name()}" in timeline
    step = ApprovalStep.objects.get(request=request)
    assert (step.acted_by_id, step.acted_for_id) == (delegate.pk, reporting_officer.pk)


def test_the_second_of_two_officers_is_told_the_request_is_decided(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    delegate = UserFactory(username="acting", designation="Deputy Secretary (acting)", bps=19)
    Delegation.objects.create(
        delegator=reporting_officer, delegate=delegate, starts_on=in_days(0), ends_on=in_days(5)
    )
    request = submitted_request(servant)
    first, second = browser(reporting_officer), browser(delegate)
    assert first.get(f"/requests/{request.pk}/decide/").status_code == 200
    assert second.get(f"/requests/{request.pk}/decide/").status_code == 200

    _approve(first, request.pk)
    events = AuditEvent.objects.count()
    rule = ConductRule.objects.get(number="22")
    response = second.post(
        f"/requests/{request.pk}/decide/",
        {"decision": "reject", "rule": rule.pk, "reason": "Too political."},
        follow=True,
    )

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/requests/{request.pk}/"
    assert f"{request.reference} is not waiting for your decision: it is Approved." in html
    assert PermissionRequest.objects.get(pk=request.pk).status == Status.APPROVED
    assert AuditEvent.objects.count() == events
    step = ApprovalStep.objects.get(request=request)
    assert (step.acted_by_id, step.acted_for_id) == (reporting_officer.pk, None)


def test_applicant_cannot_decide_their_own_request_through_a_delegation(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    Delegation.objects.create(
        delegator=reporting_officer, delegate=servant, starts_on=in_days(0), ends_on=in_days(5)
    )
    request = draft_request(servant)
    applicant = browser(servant)
    applicant.post(f"/requests/{request.pk}/edit/", request_form_data(submit="", declaration="on"))
    assert request.reference not in section(
        applicant.get("/inbox/").content.decode(), "Awaiting me"
    )

    response = _approve(applicant, request.pk)

    assert "is your own request: your officers decide on it" in response.content.decode()
    assert PermissionRequest.objects.get(pk=request.pk).status == Status.PENDING
