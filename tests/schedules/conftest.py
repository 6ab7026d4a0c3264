"""Fixtures for the scheduled jobs: Pakistan clock times, approvals, eager Celery."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from permissions import workflow
from permissions.models import Notification, PermissionRequest, User
from permissions.workflow import Approval
from tests.factories import submitted_request

KARACHI = ZoneInfo("Asia/Karachi")

# A Monday.
MONDAY = datetime.date(2026, 3, 2)


def at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=KARACHI)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def clock(moment: datetime.datetime) -> Any:
    return time_machine.travel(moment, tick=False)


def approved_until(
    applicant: User, officer: User, until: datetime.date, **overrides: object
) -> PermissionRequest:
    request = submitted_request(applicant, **overrides)
    workflow.approve(
        request.pk,
        by=officer,
        approval=Approval(valid_from=timezone.localdate(), valid_until=until),
    )
    return PermissionRequest.objects.get(pk=request.pk)


def notifications(kind: str, **filters: Any) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind, **filters).order_by("created_at", "id"))


@pytest.fixture(autouse=True)
def _tasks_run_here(eager_celery: None) -> None:
    """Every test here runs its Celery tasks in the test process (tests/conftest.py)."""
