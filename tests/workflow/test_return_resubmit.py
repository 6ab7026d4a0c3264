"""Returning for clarification, and the applicant's resubmission in a new round."""

from __future__ import annotations

import pytest

from permissions import workflow
from permissions.models import RoutingRule, User
from permissions.services import request_update
from permissions.states import Status, StepStatus
from permissions.workflow import SYSTEM, AlreadyDecided, Approval, TransitionNotAllowed
from tests.factories import submitted_request
from tests.helpers import fresh

from .conftest import AuditCounter, assert_event, assert_refused, step_statuses, steps_of

pytestmark = pytest.mark.django_db


def test_reporting_officer_returns_a_request(servant: User, reporting_officer: User) -> None:
    request = submitted_request(servant)
    audit = AuditCounter()

    workflow.return_for_clarification(
        request.pk, by=reporting_officer, reason="Which programme exactly?"
    )

    returned = fresh(request)
    assert returned.status == Status.RETURNED
    assert returned.current_step is None
    assert returned.round == 1
    assert returned.decision_reason == "Which programme exactly?"
    assert step_statuses(request) == [StepStatus.RETURNED]
    assert steps_of(request)[0].acted_by_id == reporting_officer.pk
    assert_event(
        audit.single_new_event(),
        request,
        action="return",
        actor=reporting_officer,
        from_status=Status.PENDING,
        to_status=Status.RETURNED,
        comment="Which programme exactly?",
    )


def test_returning_needs_a_reason(servant: User, reporting_officer: User) -> None:
    request = submitted_request(servant)
    error = assert_refused(
        request,
        TransitionNotAllowed,
        "what the applicant should clarify",
        lambda: workflow.return_for_clarification(request.pk, by=reporting_officer, reason=" "),
    )
    assert error.field_errors["reason"]


def test_the_applicant_cannot_return_their_own_request(servant: User) -> None:
    request = submitted_request(servant)
    assert_refused(
        request,
        TransitionNotAllowed,
        "cannot decide your own request",
        lambda: workflow.return_for_clarification(request.pk, by=servant, reason="Oops"),
    )


def test_resubmission_starts_a_new_round_at_step_one(
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
    television_countersigning: RoutingRule,
) -> None:
    request = submitted_request(servant)
    workflow.approve(
        request.pk, by=reporting_officer, approval=Approval(conditions=["personal_views"])
    )
    workflow.return_for_clarification(
        request.pk, by=countersigning_officer, reason="Attach the questions."
    )
    assert step_statuses(request, 1) == [StepStatus.APPROVED, StepStatus.RETURNED]

    request_update(
        request=fresh(request),
        by=servant,
        data={"summary": "The questions are attached."},
        origin=SYSTEM,
    )
    audit = AuditCounter()
    workflow.resubmit(request.pk, by=servant, declaration=True)

    again = fresh(request)
    assert again.status == Status.PENDING
    assert again.round == 2
    assert again.current_step == 1
    assert again.decision_reason == ""
    assert again.conditions == []
    assert step_statuses(request, 1) == [StepStatus.APPROVED, StepStatus.RETURNED]
    assert step_statuses(request, 2) == [StepStatus.PENDING, StepStatus.WAITING]
    assert [step.assignee_id for step in steps_of(request, 2)] == [
        reporting_officer.pk,
        countersigning_officer.pk,
    ]
    assert_event(
        audit.single_new_event(),
        request,
        action="resubmit",
        actor=servant,
        from_status=Status.RETURNED,
        to_status=Status.PENDING,
    )

    workflow.approve(request.pk, by=reporting_officer)
    workflow.approve(request.pk, by=countersigning_officer)
    assert fresh(request).status == Status.APPROVED
    assert step_statuses(request, 1) == [StepStatus.APPROVED, StepStatus.RETURNED]


def test_resubmission_needs_the_declaration(servant: User, reporting_officer: User) -> None:
    request = submitted_request(servant)
    workflow.return_for_clarification(request.pk, by=reporting_officer, reason="Clarify.")
    error = assert_refused(
        request,
        TransitionNotAllowed,
        "not complete",
        lambda: workflow.resubmit(request.pk, by=servant, declaration=False),
    )
    assert "declaration" in error.field_errors


def test_only_the_applicant_resubmits(servant: User, reporting_officer: User) -> None:
    request = submitted_request(servant)
    workflow.return_for_clarification(request.pk, by=reporting_officer, reason="Clarify.")
    assert_refused(
        request,
        TransitionNotAllowed,
        "Only the applicant may resubmit",
        lambda: workflow.resubmit(request.pk, by=reporting_officer, declaration=True),
    )


def test_a_pending_request_cannot_be_resubmitted(servant: User) -> None:
    request = submitted_request(servant)
    assert_refused(
        request,
        TransitionNotAllowed,
        "cannot be resubmitted while it is Pending",
        lambda: workflow.resubmit(request.pk, by=servant, declaration=True),
    )


def test_a_returned_request_cannot_be_decided_again(servant: User, reporting_officer: User) -> None:
    request = submitted_request(servant)
    workflow.return_for_clarification(request.pk, by=reporting_officer, reason="Clarify.")
    assert_refused(
        request,
        AlreadyDecided,
        "it is now Returned for clarification",
        lambda: workflow.approve(request.pk, by=reporting_officer),
    )


def test_a_returned_request_is_resubmitted_not_submitted(
    servant: User, reporting_officer: User
) -> None:
    request = submitted_request(servant)
    workflow.return_for_clarification(request.pk, by=reporting_officer, reason="Clarify.")
    assert_refused(
        request,
        TransitionNotAllowed,
        "cannot be submitted while it is Returned",
        lambda: workflow.submit(request.pk, by=servant, declaration=True),
    )
