"""The applicant withdraws a draft, a pending or a returned request."""

from __future__ import annotations

import pytest

from permissions import workflow
from permissions.models import RoutingRule, User
from permissions.states import Status, StepStatus
from permissions.workflow import TransitionNotAllowed
from tests.factories import draft_request, submitted_request
from tests.helpers import fresh

from .conftest import AuditCounter, assert_event, assert_refused, step_statuses

pytestmark = pytest.mark.django_db


def test_applicant_withdraws_a_draft(servant: User) -> None:
    draft = draft_request(servant)
    audit = AuditCounter()
    workflow.withdraw(draft.pk, by=servant, reason="  Programme cancelled. ")
    withdrawn = fresh(draft)
    assert withdrawn.status == Status.WITHDRAWN
    assert withdrawn.decided_at is not None
    assert_event(
        audit.single_new_event(),
        draft,
        action="withdraw",
        actor=servant,
        from_status=Status.DRAFT,
        to_status=Status.WITHDRAWN,
        comment="Programme cancelled.",
    )


def test_applicant_withdraws_a_pending_request_and_its_steps_close(
    servant: User, television_countersigning: RoutingRule
) -> None:
    request = submitted_request(servant)
    audit = AuditCounter()
    workflow.withdraw(request.pk, by=servant)
    withdrawn = fresh(request)
    assert withdrawn.status == Status.WITHDRAWN
    assert withdrawn.current_step is None
    assert step_statuses(request) == [StepStatus.CLOSED, StepStatus.CLOSED]
    assert_event(
        audit.single_new_event(),
        request,
        action="withdraw",
        actor=servant,
        from_status=Status.PENDING,
        to_status=Status.WITHDRAWN,
    )


def test_applicant_withdraws_a_returned_request(servant: User, reporting_officer: User) -> None:
    request = submitted_request(servant)
    workflow.return_for_clarification(request.pk, by=reporting_officer, reason="Clarify.")
    audit = AuditCounter()
    workflow.withdraw(request.pk, by=servant)
    assert fresh(request).status == Status.WITHDRAWN
    assert step_statuses(request) == [StepStatus.RETURNED]
    assert_event(
        audit.single_new_event(),
        request,
        action="withdraw",
        actor=servant,
        from_status=Status.RETURNED,
        to_status=Status.WITHDRAWN,
    )


def test_nobody_else_withdraws(
    servant: User, reporting_officer: User, outsider: User, auditor: User
) -> None:
    request = submitted_request(servant)
    for person in (reporting_officer, outsider, auditor):
        assert_refused(
            request,
            TransitionNotAllowed,
            "Only the applicant may withdraw",
            lambda person=person: workflow.withdraw(request.pk, by=person),
        )


def test_an_approved_request_cannot_be_withdrawn(servant: User, reporting_officer: User) -> None:
    request = submitted_request(servant)
    workflow.approve(request.pk, by=reporting_officer)
    assert_refused(
        request,
        TransitionNotAllowed,
        "cannot be withdrawn while it is Approved",
        lambda: workflow.withdraw(request.pk, by=servant),
    )
