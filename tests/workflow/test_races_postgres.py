"""Two people acting on the same request at the same moment: exactly one wins."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from permissions import workflow
from permissions.models import ApprovalStep, AuditEvent, ConductRule, PermissionRequest, User
from permissions.states import Status, StepStatus
from permissions.workflow import AlreadyDecided, TransitionNotAllowed, WorkflowError
from tests.factories import submitted_request
from tests.helpers import at_once, concurrent_on_postgres

pytestmark = concurrent_on_postgres("the race tests need real concurrent connections")

ROUNDS = 25


def race(*actions: Callable[[], object]) -> list[BaseException | None]:
    """Run the actions at once, each on its own connection; None where one succeeded."""
    return [
        outcome if isinstance(outcome, BaseException) else None for outcome in at_once(*actions)
    ]


def decision_events(request: PermissionRequest) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(request_id=request.pk).exclude(action="submit"))


@pytest.mark.parametrize("rejecter", ["delegate", "reporting_officer"])
def test_approve_and_reject_at_once_one_wins(
    servant: User,
    reporting_officer: User,
    delegate: User,
    rejecter: str,
) -> None:
    rule = ConductRule.objects.get(number="22")
    rejecting = delegate if rejecter == "delegate" else reporting_officer
    for _ in range(ROUNDS):
        request = submitted_request(servant)
        approve_error, reject_error = race(
            lambda pk=request.pk: workflow.approve(pk, by=reporting_officer),
            lambda pk=request.pk: workflow.reject(pk, by=rejecting, reason="Not now.", rule=rule),
        )
        errors = [error for error in (approve_error, reject_error) if error is not None]
        assert len(errors) == 1, errors
        [loser] = errors
        assert isinstance(loser, AlreadyDecided), repr(loser)
        assert "already been decided" in loser.message or "a moment ago" in loser.message
        final = PermissionRequest.objects.get(pk=request.pk)
        won = Status.APPROVED if approve_error is None else Status.REJECTED
        assert final.status == won
        [event] = decision_events(request)
        assert event.action == ("approve" if won == Status.APPROVED else "reject")
        [step] = ApprovalStep.objects.filter(request_id=request.pk)
        assert step.status == (
            StepStatus.APPROVED if won == Status.APPROVED else StepStatus.REJECTED
        )
        expected_actor = reporting_officer if won == Status.APPROVED else rejecting
        assert step.acted_by_id == expected_actor.pk


def test_approve_and_withdraw_at_once_one_wins(servant: User, reporting_officer: User) -> None:
    for _ in range(ROUNDS):
        request = submitted_request(servant)
        approve_error, withdraw_error = race(
            lambda pk=request.pk: workflow.approve(pk, by=reporting_officer),
            lambda pk=request.pk: workflow.withdraw(pk, by=servant, reason="Cancelled."),
        )
        errors = [error for error in (approve_error, withdraw_error) if error is not None]
        assert len(errors) == 1, errors
        assert all(isinstance(error, WorkflowError) for error in errors)
        final = PermissionRequest.objects.get(pk=request.pk)
        [event] = decision_events(request)
        [step] = ApprovalStep.objects.filter(request_id=request.pk)
        if approve_error is None:
            assert isinstance(withdraw_error, TransitionNotAllowed)
            assert "cannot be withdrawn while it is Approved" in withdraw_error.message
            assert final.status == Status.APPROVED
            assert event.action == "approve"
            assert (step.status, step.acted_by_id) == (StepStatus.APPROVED, reporting_officer.pk)
        else:
            assert isinstance(approve_error, AlreadyDecided)
            assert "it is now Withdrawn" in approve_error.message
            assert final.status == Status.WITHDRAWN
            assert event.action == "withdraw"
            assert (step.status, step.acted_by_id) == (StepStatus.CLOSED, None)
