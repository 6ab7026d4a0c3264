"""Rejecting: reasons and the rule breached are both required."""

from __future__ import annotations

import pytest

from permissions import workflow
from permissions.models import ConductRule, RoutingRule, User
from permissions.states import Status, StepStatus
from permissions.workflow import AlreadyDecided, TransitionNotAllowed
from tests.factories import submitted_request
from tests.helpers import fresh

from .conftest import AuditCounter, assert_event, assert_refused, step_statuses, steps_of

pytestmark = pytest.mark.django_db


def test_reporting_officer_rejects_citing_a_rule(
    servant: User, reporting_officer: User, rule_22: ConductRule
) -> None:
    request = submitted_request(servant)
    audit = AuditCounter()

    workflow.reject(
        request.pk, by=reporting_officer, reason="  Would embarrass the Government.  ", rule=rule_22
    )

    rejected = fresh(request)
    assert rejected.status == Status.REJECTED
    assert rejected.current_step is None
    assert rejected.decision_reason == "Would embarrass the Government."
    assert rejected.decision_rule == rule_22
    assert rejected.decided_at is not None
    assert rejected.valid_until is None
    [step] = steps_of(request)
    assert (step.status, step.acted_by_id, step.comment) == (
        StepStatus.REJECTED,
        reporting_officer.pk,
        "Would embarrass the Government.",
    )
    event = audit.single_new_event()
    assert_event(
        event,
        request,
        action="reject",
        actor=reporting_officer,
        from_status=Status.PENDING,
        to_status=Status.REJECTED,
        comment="Would embarrass the Government.",
    )
    assert event.data["rule"] == "22"


def test_rejecting_at_step_one_closes_the_later_steps(
    servant: User,
    reporting_officer: User,
    television_countersigning: RoutingRule,
    rule_22: ConductRule,
) -> None:
    request = submitted_request(servant)
    workflow.reject(request.pk, by=reporting_officer, reason="No.", rule=rule_22)
    assert step_statuses(request) == [StepStatus.REJECTED, StepStatus.CLOSED]


def test_countersigning_officer_rejects_at_step_two(
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
    television_countersigning: RoutingRule,
    rule_22: ConductRule,
) -> None:
    request = submitted_request(servant)
    workflow.approve(request.pk, by=reporting_officer)
    audit = AuditCounter()
    workflow.reject(request.pk, by=countersigning_officer, reason="Not now.", rule=rule_22)
    assert fresh(request).status == Status.REJECTED
    assert step_statuses(request) == [StepStatus.APPROVED, StepStatus.REJECTED]
    assert_event(
        audit.single_new_event(),
        request,
        action="reject",
        actor=countersigning_officer,
        from_status=Status.PENDING,
        to_status=Status.REJECTED,
        comment="Not now.",
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_rejection_needs_reasons(
    servant: User, reporting_officer: User, rule_22: ConductRule, reason: str
) -> None:
    request = submitted_request(servant)
    error = assert_refused(
        request,
        TransitionNotAllowed,
        "Give the reasons for rejecting",
        lambda: workflow.reject(request.pk, by=reporting_officer, reason=reason, rule=rule_22),
    )
    assert error.field_errors["reason"]


def test_a_rejection_needs_the_rule_breached(servant: User, reporting_officer: User) -> None:
    request = submitted_request(servant)
    error = assert_refused(
        request,
        TransitionNotAllowed,
        "Choose the rule",
        lambda: workflow.reject(request.pk, by=reporting_officer, reason="Breach.", rule=None),
    )
    assert error.field_errors["rule"]


def test_people_off_the_chain_cannot_reject(
    servant: User, other_officer: User, outsider: User, rule_22: ConductRule
) -> None:
    request = submitted_request(servant)
    for person in (other_officer, outsider):
        assert_refused(
            request,
            TransitionNotAllowed,
            "not waiting for your decision",
            lambda person=person: workflow.reject(
                request.pk, by=person, reason="No.", rule=rule_22
            ),
        )


def test_the_applicant_cannot_reject_their_own_request(servant: User, rule_22: ConductRule) -> None:
    request = submitted_request(servant)
    assert_refused(
        request,
        TransitionNotAllowed,
        "cannot decide your own request",
        lambda: workflow.reject(request.pk, by=servant, reason="Changed my mind.", rule=rule_22),
    )


def test_rejecting_an_approved_request_is_already_decided(
    servant: User, reporting_officer: User, rule_22: ConductRule
) -> None:
    request = submitted_request(servant)
    workflow.approve(request.pk, by=reporting_officer)
    assert_refused(
        request,
        AlreadyDecided,
        "already been decided",
        lambda: workflow.reject(request.pk, by=reporting_officer, reason="No.", rule=rule_22),
    )
