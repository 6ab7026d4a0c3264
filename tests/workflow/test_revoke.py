"""Revoking an approval: officers on the chain, or an auditor with the right."""

from __future__ import annotations

import pytest

from permissions import workflow
from permissions.models import PermissionRequest, RoutingRule, User
from permissions.states import Status, StepStatus
from permissions.workflow import AlreadyDecided, TransitionNotAllowed
from tests.factories import submitted_request
from tests.helpers import fresh

from .conftest import AuditCounter, assert_event, assert_refused, step_statuses

pytestmark = pytest.mark.django_db


def approved_request(applicant: User, *officers: User) -> PermissionRequest:
    request = submitted_request(applicant)
    for officer in officers:
        workflow.approve(request.pk, by=officer)
    assert fresh(request).status == Status.APPROVED
    return request


def test_the_approving_officer_revokes(servant: User, reporting_officer: User) -> None:
    request = approved_request(servant, reporting_officer)
    valid_until = fresh(request).valid_until
    audit = AuditCounter()

    workflow.revoke(request.pk, by=reporting_officer, reason=" Programme turned political. ")

    revoked = fresh(request)
    assert revoked.status == Status.REVOKED
    assert revoked.decision_reason == "Programme turned political."
    assert revoked.valid_until == valid_until
    assert step_statuses(request) == [StepStatus.APPROVED]
    assert_event(
        audit.single_new_event(),
        request,
        action="revoke",
        actor=reporting_officer,
        from_status=Status.APPROVED,
        to_status=Status.REVOKED,
        comment="Programme turned political.",
    )


def test_the_step_one_officer_of_a_two_step_chain_revokes(
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
    television_countersigning: RoutingRule,
) -> None:
    request = approved_request(servant, reporting_officer, countersigning_officer)
    workflow.revoke(request.pk, by=reporting_officer, reason="New facts.")
    assert fresh(request).status == Status.REVOKED


def test_an_auditor_with_the_revoke_right_revokes(
    servant: User, reporting_officer: User, auditor_with_revoke_right: User
) -> None:
    request = approved_request(servant, reporting_officer)
    audit = AuditCounter()
    workflow.revoke(request.pk, by=auditor_with_revoke_right, reason="Audit finding 7.")
    assert fresh(request).status == Status.REVOKED
    assert_event(
        audit.single_new_event(),
        request,
        action="revoke",
        actor=auditor_with_revoke_right,
        from_status=Status.APPROVED,
        to_status=Status.REVOKED,
        comment="Audit finding 7.",
    )


def test_an_auditor_without_the_right_cannot_revoke(
    servant: User, reporting_officer: User, auditor: User
) -> None:
    request = approved_request(servant, reporting_officer)
    assert_refused(
        request,
        TransitionNotAllowed,
        "authorised auditor",
        lambda: workflow.revoke(request.pk, by=auditor, reason="Audit finding 7."),
    )


def test_the_applicant_cannot_revoke_even_with_the_right(
    servant: User, reporting_officer: User
) -> None:
    from .conftest import grant_revoke_right

    request = approved_request(servant, reporting_officer)
    holder = grant_revoke_right(servant)
    assert_refused(
        request,
        TransitionNotAllowed,
        "Only an officer on this request's approval chain",
        lambda: workflow.revoke(request.pk, by=holder, reason="I changed my mind."),
    )


def test_unrelated_officers_cannot_revoke(
    servant: User, reporting_officer: User, other_officer: User, outsider: User
) -> None:
    request = approved_request(servant, reporting_officer)
    for person in (other_officer, outsider):
        assert_refused(
            request,
            TransitionNotAllowed,
            "may revoke its approval",
            lambda person=person: workflow.revoke(request.pk, by=person, reason="Because."),
        )


def test_revoking_needs_reasons(servant: User, reporting_officer: User) -> None:
    request = approved_request(servant, reporting_officer)
    error = assert_refused(
        request,
        TransitionNotAllowed,
        "Give the reasons for revoking",
        lambda: workflow.revoke(request.pk, by=reporting_officer, reason="  "),
    )
    assert error.field_errors["reason"]


def test_a_pending_request_cannot_be_revoked(servant: User, reporting_officer: User) -> None:
    request = submitted_request(servant)
    assert_refused(
        request,
        TransitionNotAllowed,
        "while it is Pending",
        lambda: workflow.revoke(request.pk, by=reporting_officer, reason="Too early."),
    )


def test_revoking_twice_is_already_decided(servant: User, reporting_officer: User) -> None:
    request = approved_request(servant, reporting_officer)
    workflow.revoke(request.pk, by=reporting_officer, reason="New facts.")
    assert_refused(
        request,
        AlreadyDecided,
        "it is now Revoked",
        lambda: workflow.revoke(request.pk, by=reporting_officer, reason="Again."),
    )
