"""The system expires an approval once its last valid day has passed."""

from __future__ import annotations

import pytest
import time_machine
from django.utils import formats

from permissions import workflow
from permissions.models import User
from permissions.states import Status
from permissions.workflow import AlreadyDecided, TransitionNotAllowed
from tests.factories import submitted_request
from tests.helpers import approved_until, at, days, fresh, today

from .conftest import AuditCounter, assert_event, assert_refused

pytestmark = pytest.mark.django_db


def test_an_approval_expires_the_day_after_its_last_valid_day(
    servant: User, reporting_officer: User
) -> None:
    last_day = today() + days(10)
    request = approved_until(servant, reporting_officer, last_day)
    audit = AuditCounter()

    with time_machine.travel(at(last_day + days(1), hour=0), tick=False):
        workflow.expire(request.pk)

    expired = fresh(request)
    assert expired.status == Status.EXPIRED
    assert expired.valid_until == last_day
    event = audit.single_new_event()
    assert_event(
        event,
        request,
        action="expire",
        actor=None,
        from_status=Status.APPROVED,
        to_status=Status.EXPIRED,
    )
    assert event.user_agent == "system"


@pytest.mark.parametrize("moment", ["now", "last-day-morning", "last-day-night"])
def test_an_approval_does_not_expire_while_still_valid(
    servant: User, reporting_officer: User, moment: str
) -> None:
    last_day = today() + days(10)
    request = approved_until(servant, reporting_officer, last_day)
    when = {
        "now": at(today(), hour=12),
        "last-day-morning": at(last_day, hour=0),
        "last-day-night": at(last_day, hour=23),
    }[moment]
    with time_machine.travel(when, tick=False):
        error = assert_refused(
            request,
            TransitionNotAllowed,
            "cannot expire before then",
            lambda: workflow.expire(request.pk),
        )
    assert formats.date_format(last_day) in error.message


def test_a_pending_request_does_not_expire(servant: User) -> None:
    request = submitted_request(servant)
    with time_machine.travel(at(today() + days(400)), tick=False):
        assert_refused(
            request,
            TransitionNotAllowed,
            "while it is Pending",
            lambda: workflow.expire(request.pk),
        )


def test_a_revoked_approval_does_not_expire(servant: User, reporting_officer: User) -> None:
    last_day = today() + days(3)
    request = approved_until(servant, reporting_officer, last_day)
    workflow.revoke(request.pk, by=reporting_officer, reason="New facts.")
    with time_machine.travel(at(last_day + days(2)), tick=False):
        assert_refused(
            request, AlreadyDecided, "it is now Revoked", lambda: workflow.expire(request.pk)
        )
