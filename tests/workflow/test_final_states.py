"""Rejected, withdrawn, revoked and expired are final: no action leaves them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
import time_machine

from permissions import workflow
from permissions.models import ConductRule, PermissionRequest, User
from permissions.states import FINAL, Status
from permissions.workflow import AlreadyDecided, Approval, TransitionNotAllowed, WorkflowError
from tests.factories import submitted_request
from tests.helpers import days, fresh, today

from .conftest import assert_refused

pytestmark = pytest.mark.django_db

LAST_VALID_DAY_OFFSET = 5


def bring_to(status: str, applicant: User, officer: User, rule: ConductRule) -> PermissionRequest:
    request = submitted_request(applicant)
    if status == Status.REJECTED:
        workflow.reject(request.pk, by=officer, reason="Breach.", rule=rule)
    elif status == Status.WITHDRAWN:
        workflow.withdraw(request.pk, by=applicant)
    else:
        workflow.approve(
            request.pk,
            by=officer,
            approval=Approval(
                valid_from=today(), valid_until=today() + days(LAST_VALID_DAY_OFFSET)
            ),
        )
        if status == Status.REVOKED:
            workflow.revoke(request.pk, by=officer, reason="New facts.")
    return request


def after_validity() -> time_machine.travel:
    day = today() + days(LAST_VALID_DAY_OFFSET + 1)
    moment = datetime.datetime.combine(day, datetime.time(10), tzinfo=ZoneInfo("Asia/Karachi"))
    return time_machine.travel(moment, tick=False)


def test_the_final_statuses_are_the_documented_four() -> None:
    assert set(FINAL) == {
        Status.REJECTED,
        Status.WITHDRAWN,
        Status.REVOKED,
        Status.EXPIRED,
    }


@pytest.mark.parametrize(
    "status", [Status.REJECTED, Status.WITHDRAWN, Status.REVOKED, Status.EXPIRED]
)
def test_no_action_leaves_a_final_status(
    status: str,
    servant: User,
    reporting_officer: User,
    delegate: User,
    auditor_with_revoke_right: User,
    rule_22: ConductRule,
) -> None:
    request = bring_to(status, servant, reporting_officer, rule_22)
    label = Status(status).label
    pk = request.pk
    attempts: list[tuple[str, Callable[[], object], type[WorkflowError], str]] = [
        (
            "submit",
            lambda: workflow.submit(pk, by=servant, declaration=True),
            TransitionNotAllowed,
            f"cannot be submitted while it is {label}",
        ),
        (
            "resubmit",
            lambda: workflow.resubmit(pk, by=servant, declaration=True),
            TransitionNotAllowed,
            f"cannot be resubmitted while it is {label}",
        ),
        (
            "withdraw",
            lambda: workflow.withdraw(pk, by=servant),
            TransitionNotAllowed,
            f"cannot be withdrawn while it is {label}",
        ),
        (
            "approve",
            lambda: workflow.approve(pk, by=reporting_officer),
            AlreadyDecided,
            f"it is now {label}",
        ),
        (
            "approve as delegate",
            lambda: workflow.approve(pk, by=delegate),
            AlreadyDecided,
            f"it is now {label}",
        ),
        (
            "reject",
            lambda: workflow.reject(pk, by=reporting_officer, reason="No.", rule=rule_22),
            AlreadyDecided,
            f"it is now {label}",
        ),
        (
            "return",
            lambda: workflow.return_for_clarification(pk, by=reporting_officer, reason="Why?"),
            AlreadyDecided,
            f"it is now {label}",
        ),
        (
            "revoke by officer",
            lambda: workflow.revoke(pk, by=reporting_officer, reason="Again."),
            AlreadyDecided,
            f"it is now {label}",
        ),
        (
            "revoke by auditor",
            lambda: workflow.revoke(pk, by=auditor_with_revoke_right, reason="Again."),
            AlreadyDecided,
            f"it is now {label}",
        ),
        ("expire", lambda: workflow.expire(pk), AlreadyDecided, f"it is now {label}"),
        ("escalate", lambda: workflow.escalate(pk), AlreadyDecided, f"it is now {label}"),
    ]
    with after_validity():
        if status == Status.EXPIRED:
            workflow.expire(pk)
        assert fresh(request).status == status
        for name, attempt, error, phrase in attempts:
            refused = assert_refused(request, error, phrase, attempt)
            assert request.reference in refused.message, name
    assert fresh(request).status == status
