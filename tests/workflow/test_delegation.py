"""Acting for an officer through a delegation, and its limits."""

from __future__ import annotations

import pytest

from permissions import workflow
from permissions.models import ConductRule, Delegation, RoutingRule, User
from permissions.services import delegation_end
from permissions.states import Status, StepStatus
from permissions.workflow import SYSTEM, AlreadyDecided, TransitionNotAllowed
from tests.factories import UserFactory, submitted_request
from tests.helpers import days, fresh, today

from .conftest import AuditCounter, assert_event, assert_refused, step_statuses, steps_of

pytestmark = pytest.mark.django_db


def delegation(delegator: User, to: User, *, start: int = -1, end: int = 7) -> Delegation:
    return Delegation.objects.create(
        delegator=delegator,
        delegate=to,
        starts_on=today() + days(start),
        ends_on=today() + days(end),
    )


def test_delegate_approves_for_the_reporting_officer(
    servant: User, reporting_officer: User, delegate: User
) -> None:
    request = submitted_request(servant)
    audit = AuditCounter()
    workflow.approve(request.pk, by=delegate)
    assert fresh(request).status == Status.APPROVED
    [step] = steps_of(request)
    assert (step.acted_by_id, step.acted_for_id) == (delegate.pk, reporting_officer.pk)
    assert_event(
        audit.single_new_event(),
        request,
        action="approve",
        actor=delegate,
        acting_for=reporting_officer,
        from_status=Status.PENDING,
        to_status=Status.APPROVED,
    )


def test_delegate_rejects_for_the_reporting_officer(
    servant: User, reporting_officer: User, delegate: User, rule_22: ConductRule
) -> None:
    request = submitted_request(servant)
    audit = AuditCounter()
    workflow.reject(request.pk, by=delegate, reason="Political.", rule=rule_22)
    assert fresh(request).status == Status.REJECTED
    assert steps_of(request)[0].acted_for_id == reporting_officer.pk
    assert_event(
        audit.single_new_event(),
        request,
        action="reject",
        actor=delegate,
        acting_for=reporting_officer,
        from_status=Status.PENDING,
        to_status=Status.REJECTED,
        comment="Political.",
    )


def test_delegate_returns_for_the_reporting_officer(
    servant: User, reporting_officer: User, delegate: User
) -> None:
    request = submitted_request(servant)
    audit = AuditCounter()
    workflow.return_for_clarification(request.pk, by=delegate, reason="Which channel?")
    assert fresh(request).status == Status.RETURNED
    assert_event(
        audit.single_new_event(),
        request,
        action="return",
        actor=delegate,
        acting_for=reporting_officer,
        from_status=Status.PENDING,
        to_status=Status.RETURNED,
        comment="Which channel?",
    )


def test_a_delegate_who_approved_may_revoke(
    servant: User, reporting_officer: User, delegate: User
) -> None:
    request = submitted_request(servant)
    workflow.approve(request.pk, by=delegate)
    workflow.revoke(request.pk, by=delegate, reason="New facts.")
    assert fresh(request).status == Status.REVOKED


def test_a_delegation_covers_only_the_delegators_step(
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
    television_countersigning: RoutingRule,
) -> None:
    stand_in = UserFactory(username="js-stand-in")
    delegation(countersigning_officer, stand_in)
    request = submitted_request(servant)
    assert_refused(
        request,
        TransitionNotAllowed,
        "not waiting for your decision",
        lambda: workflow.approve(request.pk, by=stand_in),
    )
    workflow.approve(request.pk, by=reporting_officer)
    workflow.approve(request.pk, by=stand_in)
    assert fresh(request).status == Status.APPROVED
    assert steps_of(request)[1].acted_for_id == countersigning_officer.pk


def test_an_applicant_given_their_officers_delegation_cannot_decide_their_own_request(
    servant: User, reporting_officer: User, rule_22: ConductRule
) -> None:
    delegation(reporting_officer, servant)
    request = submitted_request(servant)
    for attempt in (
        lambda: workflow.approve(request.pk, by=servant),
        lambda: workflow.reject(request.pk, by=servant, reason="x", rule=rule_22),
        lambda: workflow.return_for_clarification(request.pk, by=servant, reason="x"),
    ):
        assert_refused(request, TransitionNotAllowed, "cannot decide your own request", attempt)


@pytest.mark.parametrize(
    ("start", "end"),
    [(-10, -1), (1, 10)],
    ids=["ended-yesterday", "starts-tomorrow"],
)
def test_a_delegation_outside_its_dates_gives_no_authority(
    servant: User, reporting_officer: User, start: int, end: int
) -> None:
    stand_in = UserFactory(username="stand-in")
    delegation(reporting_officer, stand_in, start=start, end=end)
    request = submitted_request(servant)
    assert_refused(
        request,
        TransitionNotAllowed,
        "not waiting for your decision",
        lambda: workflow.approve(request.pk, by=stand_in),
    )


def test_a_delegation_on_its_last_day_still_counts(servant: User, reporting_officer: User) -> None:
    stand_in = UserFactory(username="stand-in")
    delegation(reporting_officer, stand_in, start=-5, end=0)
    request = submitted_request(servant)
    workflow.approve(request.pk, by=stand_in)
    assert fresh(request).status == Status.APPROVED


def test_a_cancelled_delegation_gives_no_authority(servant: User, reporting_officer: User) -> None:
    stand_in = UserFactory(username="stand-in")
    given = delegation(reporting_officer, stand_in)
    request = submitted_request(servant)
    delegation_end(delegation=given, by=reporting_officer, origin=SYSTEM)
    assert_refused(
        request,
        TransitionNotAllowed,
        "not waiting for your decision",
        lambda: workflow.approve(request.pk, by=stand_in),
    )


def test_delegations_do_not_chain(servant: User, reporting_officer: User) -> None:
    second = UserFactory(username="second-in-line")
    third = UserFactory(username="third-in-line")
    delegation(reporting_officer, second)
    delegation(second, third)
    request = submitted_request(servant)
    assert_refused(
        request,
        TransitionNotAllowed,
        "not waiting for your decision",
        lambda: workflow.approve(request.pk, by=third),
    )
    workflow.approve(request.pk, by=second)
    assert steps_of(request)[0].acted_for_id == reporting_officer.pk


def test_the_delegate_is_told_when_the_officer_already_decided(
    servant: User, reporting_officer: User, delegate: User, rule_22: ConductRule
) -> None:
    request = submitted_request(servant)
    workflow.approve(request.pk, by=reporting_officer)
    error = assert_refused(
        request,
        AlreadyDecided,
        "already been decided",
        lambda: workflow.reject(request.pk, by=delegate, reason="No.", rule=rule_22),
    )
    assert "Nothing was changed" in error.message
    assert step_statuses(request) == [StepStatus.APPROVED]
    assert steps_of(request)[0].acted_by_id == reporting_officer.pk


def test_the_officer_is_told_when_the_delegate_already_decided(
    servant: User, reporting_officer: User, delegate: User
) -> None:
    request = submitted_request(servant)
    workflow.return_for_clarification(request.pk, by=delegate, reason="Which channel?")
    assert_refused(
        request,
        AlreadyDecided,
        "it is now Returned for clarification",
        lambda: workflow.approve(request.pk, by=reporting_officer),
    )


def test_at_step_two_the_step_one_delegate_is_told_it_moved_on(
    servant: User,
    reporting_officer: User,
    delegate: User,
    television_countersigning: RoutingRule,
) -> None:
    request = submitted_request(servant)
    workflow.approve(request.pk, by=reporting_officer)
    assert_refused(
        request,
        TransitionNotAllowed,
        "step 2 is held by",
        lambda: workflow.approve(request.pk, by=delegate),
    )
