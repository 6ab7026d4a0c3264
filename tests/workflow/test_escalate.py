"""The system hands an overdue step to its holder's own reporting officer."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from permissions import workflow
from permissions.models import ConductRule, RoutingRule, User
from permissions.states import Status, StepStatus
from permissions.workflow import AlreadyDecided, TransitionNotAllowed
from tests.factories import submitted_request
from tests.helpers import fresh

from .conftest import AuditCounter, assert_event, assert_refused, steps_of


def overdue(periods: int = 1) -> time_machine.travel:
    later = timezone.now() + periods * datetime.timedelta(days=settings.ESCALATE_AFTER_DAYS + 1)
    return time_machine.travel(later, tick=False)


pytestmark = pytest.mark.django_db


def test_an_overdue_step_goes_to_the_holders_reporting_officer(
    servant: User, reporting_officer: User, countersigning_officer: User
) -> None:
    request = submitted_request(servant)
    audit = AuditCounter()

    with overdue():
        workflow.escalate(request.pk)
        escalated_at = timezone.now()

    escalated = fresh(request)
    assert escalated.status == Status.PENDING
    assert escalated.current_step == 1
    assert escalated.round == 1
    [step] = steps_of(request)
    assert step.status == StepStatus.PENDING
    assert step.assignee_id == countersigning_officer.pk
    assert step.escalated_from_id == reporting_officer.pk
    assert step.escalations == 1
    assert step.started_at == escalated_at
    event = audit.single_new_event()
    assert_event(
        event,
        request,
        action="escalate",
        actor=None,
        from_status=Status.PENDING,
        to_status=Status.PENDING,
    )
    assert (event.data["from"], event.data["to"]) == (
        reporting_officer.pk,
        countersigning_officer.pk,
    )


def test_after_escalation_only_the_new_holder_decides(
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
    rule_22: ConductRule,
) -> None:
    request = submitted_request(servant)
    with overdue():
        workflow.escalate(request.pk)
    assert_refused(
        request,
        TransitionNotAllowed,
        "not waiting for your decision",
        lambda: workflow.reject(request.pk, by=reporting_officer, reason="No.", rule=rule_22),
    )
    workflow.approve(request.pk, by=countersigning_officer)
    assert fresh(request).status == Status.APPROVED
    assert steps_of(request)[0].acted_by_id == countersigning_officer.pk


def test_the_previous_holders_delegate_loses_the_step(
    servant: User, reporting_officer: User, delegate: User
) -> None:
    request = submitted_request(servant)
    with overdue():
        workflow.escalate(request.pk)
    assert_refused(
        request,
        TransitionNotAllowed,
        "not waiting for your decision",
        lambda: workflow.approve(request.pk, by=delegate),
    )


def test_no_escalation_without_a_reporting_officer_above(
    servant: User, reporting_officer: User, countersigning_officer: User
) -> None:
    request = submitted_request(servant)
    with overdue():
        workflow.escalate(request.pk)
    with overdue(periods=2):
        error = assert_refused(
            request,
            TransitionNotAllowed,
            "has no reporting officer to escalate",
            lambda: workflow.escalate(request.pk),
        )
    assert request.reference in error.message


def test_no_escalation_to_an_inactive_officer(
    servant: User, reporting_officer: User, countersigning_officer: User
) -> None:
    countersigning_officer.is_active = False
    countersigning_officer.save(update_fields=["is_active"])
    request = submitted_request(servant)
    with overdue():
        assert_refused(
            request,
            TransitionNotAllowed,
            "no reporting officer to escalate",
            lambda: workflow.escalate(request.pk),
        )


def test_a_group_step_is_not_escalated(
    servant: User, reporting_officer: User, media_cell_rule: RoutingRule
) -> None:
    request = submitted_request(servant)
    workflow.approve(request.pk, by=reporting_officer)
    with overdue():
        assert_refused(
            request,
            TransitionNotAllowed,
            "waiting on a group",
            lambda: workflow.escalate(request.pk),
        )


def test_a_decided_request_is_not_escalated(servant: User, reporting_officer: User) -> None:
    request = submitted_request(servant)
    workflow.approve(request.pk, by=reporting_officer)
    with overdue():
        assert_refused(
            request, AlreadyDecided, "it is now Approved", lambda: workflow.escalate(request.pk)
        )


def test_a_step_that_is_not_yet_overdue_is_not_escalated(
    servant: User, reporting_officer: User, countersigning_officer: User
) -> None:
    request = submitted_request(servant)
    assert_refused(
        request,
        TransitionNotAllowed,
        "overdue",
        lambda: workflow.escalate(request.pk),
    )
    assert steps_of(request)[0].assignee_id == reporting_officer.pk
