"""Approving many requests at once: each through the workflow on its own, with its own
audit event and its own notification to its applicant."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import pytest
from django.test import Client

from permissions.models import (
    ApprovalStep,
    AuditEvent,
    Notification,
    PermissionRequest,
    RoutingRule,
    User,
)
from permissions.states import Status, StepStatus
from tests.factories import platform, submitted_request
from tests.helpers import at, days, fresh, today

from .conftest import choose, decide, ids

pytestmark = pytest.mark.django_db

Make = Callable[[int], list[PermissionRequest]]


def test_fifty_approved_at_once_each_with_its_own_event_and_notification(
    officer_client: Client, reporting_officer: User, pending_requests: Make
) -> None:
    requests = pending_requests(50)
    until = today() + days(30)

    response = decide(
        officer_client,
        requests,
        decision="approve",
        valid_from=today().isoformat(),
        valid_until=until.isoformat(),
        conditions=["personal_views"],
        conditions_text="Send the published link within a week.",
    )

    assert response.redirect_chain == [("/inbox/bulk/result/", 302)]
    for request in requests:
        approved = fresh(request)
        assert approved.status == Status.APPROVED
        assert (approved.valid_from, approved.valid_until) == (today(), until)
        assert approved.conditions == ["personal_views"]
        assert approved.conditions_text == "Send the published link within a week."
    events = list(AuditEvent.objects.filter(action="approve").order_by("id"))
    assert len(events) == 50
    assert sorted(event.request_id for event in events) == sorted(ids(requests))
    assert {(event.actor_id, event.from_status, event.to_status) for event in events} == {
        (reporting_officer.pk, Status.PENDING, Status.APPROVED)
    }
    # One "approved" notification per request, to its own applicant, caused by its own
    # event: the outbox's key names the event and the recipient.
    applicant_of = {request.pk: request.applicant_id for request in requests}
    approved_rows = list(Notification.objects.filter(kind="approved"))
    assert Counter(row.request_id for row in approved_rows) == Counter(ids(requests))
    for row in approved_rows:
        assert row.recipient_id == applicant_of[row.request_id]
    assert {row.dedupe_key for row in approved_rows} == {
        f"event{event.pk}:to{applicant_of[event.request_id]}" for event in events
    }
    # The officer hears nothing of their own decisions.
    assert (
        not Notification.objects.filter(recipient=reporting_officer)
        .exclude(kind="submitted")
        .exists()
    )

    page = response.content.decode()
    assert "50 requests approved." in page
    assert "Not decided" not in page
    assert len(re.findall(r'href="/requests/\d+/"', page)) == 50
    for request in requests:
        assert request.reference in page


def test_the_page_before_lists_what_will_be_decided_and_decides_nothing(
    officer_client: Client, servants: list[User], pending_requests: Make
) -> None:
    requests = pending_requests(3)
    before = AuditEvent.objects.count()

    response = choose(officer_client, requests)

    assert response.status_code == 200
    page = response.content.decode()
    for request in requests:
        assert request.reference in page
        assert request.topic in page
        assert f'<input type="hidden" name="selected" value="{request.pk}">' in page
    assert servants[0].get_full_name() in page
    assert "Record the decision on 3 requests" in page
    assert "Rejecting is not offered here" in page
    assert 'data-shown-when="decision=approve"' in page
    assert 'data-shown-when="decision=return"' in page
    assert 'name="valid_from"' in page
    assert 'value="reject"' not in page
    assert AuditEvent.objects.count() == before
    assert all(fresh(request).status == Status.PENDING for request in requests)


def test_left_empty_each_approval_takes_the_dates_its_request_asked_for(
    officer_client: Client, servant: User
) -> None:
    soon = submitted_request(servant, event_at=at(today() + days(3), 11))
    later = submitted_request(servant, event_at=at(today() + days(20), 11))

    decide(officer_client, [soon, later], decision="approve")

    assert (fresh(soon).valid_from, fresh(soon).valid_until) == (
        today() + days(3),
        today() + days(3),
    )
    assert fresh(later).valid_until == today() + days(20)


def test_at_an_earlier_step_approval_sends_the_request_on_and_leaves_validity_to_the_last(
    officer_client: Client,
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
    television_countersigning: RoutingRule,
) -> None:
    two_steps = submitted_request(servant)
    one_step = submitted_request(servant, platform=platform("radio"))

    page = choose(officer_client, [two_steps, one_step]).content.decode()
    assert "Step 1 of 2" in page and "Step 1 of 1" in page
    assert "A later officer sets its validity." in page
    assert "to 1 of these requests" in page

    until = today() + days(10)
    response = decide(
        officer_client,
        [two_steps, one_step],
        decision="approve",
        valid_from=today().isoformat(),
        valid_until=until.isoformat(),
    )

    forwarded = fresh(two_steps)
    assert (forwarded.status, forwarded.current_step) == (Status.PENDING, 2)
    assert forwarded.valid_until is None
    assert ApprovalStep.objects.get(request=two_steps, order=2).status == StepStatus.PENDING
    assert fresh(one_step).valid_until == until
    assert Notification.objects.filter(
        kind="forwarded", request=two_steps, recipient=countersigning_officer
    ).exists()
    result = response.content.decode()
    assert "1 request approved." in result
    assert "1 request approved at your step and sent on to the next officer." in result
    assert "Sent on to step 2 for the next officer&#x27;s decision." in result


def test_validity_is_not_asked_when_no_request_is_at_its_last_step(
    officer_client: Client, servant: User, television_countersigning: RoutingRule
) -> None:
    page = choose(officer_client, [submitted_request(servant)]).content.decode()

    assert 'name="valid_from"' not in page
    assert "None of these requests is at its last step with you" in page
