"""Approvals end through the workflow once their last valid day has passed."""

from __future__ import annotations

import logging

import pytest
from django.utils import timezone

from permissions import schedules, workflow
from permissions.models import AuditEvent, PermissionRequest, User
from permissions.states import Status
from tests.helpers import approved_until, at, clock, days

from .conftest import notifications

pytestmark = pytest.mark.django_db


def status_of(request: PermissionRequest) -> str:
    return PermissionRequest.objects.get(pk=request.pk).status


def test_an_approval_expires_at_the_start_of_the_day_after_its_last_valid_day(
    servant: User, reporting_officer: User
) -> None:
    last_day = timezone.localdate() + days(10)
    request = approved_until(servant, reporting_officer, last_day)

    with clock(at(last_day, 23, 59)):
        schedules.expire_approvals()
    assert status_of(request) == Status.APPROVED

    with clock(at(last_day + days(1), 0, 5)):
        report = schedules.expire_approvals()
    assert status_of(request) == Status.EXPIRED
    assert report["done"] == 1
    event = AuditEvent.objects.filter(request=request).latest("id")
    assert (event.action, event.actor_id, event.to_status) == ("expire", None, Status.EXPIRED)
    assert [row.recipient_id for row in notifications("expired")] == [servant.pk]


def test_running_twice_expires_once_and_tells_the_servant_once(
    servant: User, reporting_officer: User
) -> None:
    last_day = timezone.localdate() + days(3)
    request = approved_until(servant, reporting_officer, last_day)

    with clock(at(last_day + days(1), 0, 5)):
        schedules.expire_approvals()
        second = schedules.expire_approvals()

    assert second["done"] == 0
    assert AuditEvent.objects.filter(request=request, action="expire").count() == 1
    assert len(notifications("expired")) == 1


def test_only_approvals_past_their_last_day_expire(servant: User, reporting_officer: User) -> None:
    today = timezone.localdate()
    ended = approved_until(servant, reporting_officer, today + days(2))
    running = approved_until(servant, reporting_officer, today + days(9))
    revoked = approved_until(servant, reporting_officer, today + days(2))
    workflow.revoke(revoked.pk, by=reporting_officer, reason="The event was cancelled.")

    with clock(at(today + days(5), 1)):
        schedules.expire_approvals()

    assert [status_of(r) for r in (ended, running, revoked)] == [
        Status.EXPIRED,
        Status.APPROVED,
        Status.REVOKED,
    ]


def test_one_failing_approval_does_not_hold_up_the_others(
    servant: User,
    reporting_officer: User,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    last_day = timezone.localdate() + days(2)
    broken, *healthy = [approved_until(servant, reporting_officer, last_day) for _ in range(3)]
    real_expire = workflow.expire

    def expire(request_id: int, **kwargs: object) -> PermissionRequest:
        if request_id == broken.pk:
            raise RuntimeError("disk full")
        return real_expire(request_id)

    monkeypatch.setattr(workflow, "expire", expire)
    with caplog.at_level(logging.ERROR), clock(at(last_day + days(1), 1)):
        report = schedules.expire_approvals(batch_size=2)

    assert [status_of(r) for r in healthy] == [Status.EXPIRED, Status.EXPIRED]
    assert status_of(broken) == Status.APPROVED
    assert (report["done"], report["failed"], report["batches"]) == (2, 1, 2)
    assert f"request {broken.pk} failed" in caplog.text
