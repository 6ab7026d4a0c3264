"""A permission can be renewed once it has started (or after it expired), never before:
until its first day it still covers the dates a renewal would ask for."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from permissions import selectors, services, workflow
from permissions.models import PermissionRequest, User
from permissions.states import Status
from permissions.workflow import Approval, WorkflowError
from tests.factories import submitted_request
from tests.helpers import at, clock, days, fresh, today

pytestmark = pytest.mark.django_db

Browser = Callable[[User], Client]


def _approved_from(
    servant: User, officer: User, starts_in: int, lasts: int = 10
) -> PermissionRequest:
    # Asked and approved early today, so an appearance at 10:00 today is still ahead
    # whatever the time the test runs.
    with clock(at(today(), hour=8)):
        request = submitted_request(servant, event_at=at(today() + days(starts_in), hour=10))
        start = today() + days(starts_in)
        workflow.approve(
            request.pk,
            by=officer,
            approval=Approval(valid_from=start, valid_until=start + days(lasts)),
        )
    return fresh(request)


def test_an_approval_is_renewable_from_its_first_day(
    servant: User, reporting_officer: User
) -> None:
    approval = _approved_from(servant, reporting_officer, starts_in=3)

    assert selectors.renewable(request=approval) is False
    with clock(at(today() + days(2), hour=23, minute=59)):
        assert selectors.renewable(request=approval) is False
    with clock(at(today() + days(3), hour=0, minute=1)):
        assert selectors.renewable(request=approval) is True


def test_a_started_or_expired_permission_is_renewable_and_others_are_not(
    servant: User, reporting_officer: User
) -> None:
    started = _approved_from(servant, reporting_officer, starts_in=0)
    pending = submitted_request(servant)

    assert selectors.renewable(request=started) is True
    assert selectors.renewable(request=pending) is False
    with clock(at(today() + days(20))):
        workflow.expire(started.pk)
        expired = fresh(started)
        assert expired.status == Status.EXPIRED
        assert selectors.renewable(request=expired) is True


def test_renewing_before_the_permission_starts_is_refused_and_makes_nothing(
    servant: User, reporting_officer: User
) -> None:
    approval = _approved_from(servant, reporting_officer, starts_in=3)

    with pytest.raises(WorkflowError) as refused:
        services.renewal_start(approval=approval, by=servant)

    assert refused.value.message.startswith(
        f"{approval.reference} cannot be renewed before it starts on "
    )
    assert PermissionRequest.objects.count() == 1
    with clock(at(today() + days(3))):
        renewal = services.renewal_start(approval=fresh(approval), by=servant)
    assert (renewal.status, renewal.renews_id) == (Status.DRAFT, approval.pk)


def test_the_renew_page_refuses_an_unstarted_permission_with_a_reason(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    approval = _approved_from(servant, reporting_officer, starts_in=3)

    response = browser(servant).post(f"/requests/{approval.pk}/renew/", follow=True)

    assert response.redirect_chain[-1][0] == f"/requests/{approval.pk}/"
    assert f"{approval.reference} cannot be renewed before it starts on" in (
        response.content.decode()
    )
    assert PermissionRequest.objects.count() == 1


def test_renew_is_not_offered_before_the_permission_starts(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    approval = _approved_from(servant, reporting_officer, starts_in=3)
    renew = f'action="/requests/{approval.pk}/renew/"'

    assert renew not in browser(servant).get(f"/requests/{approval.pk}/").content.decode()
    with clock(at(today() + days(3))):
        assert renew in browser(servant).get(f"/requests/{approval.pk}/").content.decode()
