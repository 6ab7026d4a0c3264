"""Officers' steps waiting past ESCALATE_AFTER_DAYS go to the officer's own reporting
officer."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.conf import settings

from permissions import schedules, workflow
from permissions.models import ApprovalStep, PermissionRequest, User
from permissions.states import Status
from tests.factories import submitted_request
from tests.helpers import at, clock, days

from .conftest import MONDAY, notifications

pytestmark = pytest.mark.django_db


def holder_of(request: PermissionRequest) -> int | None:
    step = ApprovalStep.objects.get(request=request, status="pending")
    return step.assignee_id


def submitted_on_monday(applicant: User) -> PermissionRequest:
    with clock(at(MONDAY, 10)):
        return submitted_request(applicant)


def test_escalation_fires_at_the_threshold_and_not_before(
    servant: User, reporting_officer: User, countersigning_officer: User
) -> None:
    request = submitted_on_monday(servant)
    threshold = at(MONDAY + days(settings.ESCALATE_AFTER_DAYS), 10)

    with clock(at(MONDAY + days(settings.ESCALATE_AFTER_DAYS), 9, 59)):
        schedules.escalate_overdue()
    assert holder_of(request) == reporting_officer.pk

    with clock(threshold):
        report = schedules.escalate_overdue()
    assert holder_of(request) == countersigning_officer.pk
    assert report["done"] == 1
    assert sorted(row.recipient_id for row in notifications("escalated")) == sorted(
        [servant.pk, reporting_officer.pk, countersigning_officer.pk]
    )


def test_running_twice_escalates_once(
    servant: User, reporting_officer: User, countersigning_officer: User
) -> None:
    request = submitted_on_monday(servant)
    with clock(at(MONDAY + days(8), 10)):
        schedules.escalate_overdue()
        second = schedules.escalate_overdue()

    assert second["done"] == 0
    assert holder_of(request) == countersigning_officer.pk
    assert ApprovalStep.objects.get(request=request).escalations == 1


def test_the_threshold_comes_from_the_settings(
    servant: User, reporting_officer: User, countersigning_officer: User, settings: Any
) -> None:
    settings.ESCALATE_AFTER_DAYS = 2
    request = submitted_on_monday(servant)
    with clock(at(MONDAY + days(2), 9)):
        schedules.escalate_overdue()
    assert holder_of(request) == reporting_officer.pk
    with clock(at(MONDAY + days(2), 11)):
        schedules.escalate_overdue()
    assert holder_of(request) == countersigning_officer.pk


def test_a_refused_escalation_is_logged_and_the_others_go_ahead(
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
    other_officer: User,
    caplog: pytest.LogCaptureFixture,
) -> None:
    stuck = submitted_on_monday(User.objects.get(username="other-subordinate"))
    moving = submitted_on_monday(servant)

    with caplog.at_level(logging.WARNING), clock(at(MONDAY + days(8), 10)):
        report = schedules.escalate_overdue()

    assert holder_of(stuck) == other_officer.pk
    assert holder_of(moving) == countersigning_officer.pk
    assert (report["done"], report["refused"]) == (1, 1)
    assert stuck.reference in caplog.text
    assert "no reporting officer to escalate" in caplog.text


def test_decided_requests_are_left_alone(servant: User, reporting_officer: User) -> None:
    # Group steps are escalated by a rule of their own: tests/schedules/test_group_escalation.py.
    with clock(at(MONDAY, 12)):
        returned = submitted_request(servant)
        workflow.return_for_clarification(
            returned.pk, by=reporting_officer, reason="Attach the script."
        )

    with clock(at(MONDAY + days(30), 10)):
        report = schedules.escalate_overdue()

    assert report == {"batches": 0, "done": 0, "refused": 0, "failed": 0}
    assert PermissionRequest.objects.get(pk=returned.pk).status == Status.RETURNED
