"""Requests that move on between the page that lists them and the decision: withdrawn by
the applicant, or decided by someone else. They are left as they are and listed as no
longer waiting, by name and status; the others are decided all the same."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from permissions import workflow
from permissions.models import AuditEvent, PermissionRequest, User
from permissions.states import Status
from tests.factories import UserFactory
from tests.helpers import days, fresh, today

from .conftest import choose, decide, text

pytestmark = pytest.mark.django_db


def not_decided_section(page: str) -> str:
    start = page.index('id="not-decided-heading"')
    return text(page[start : page.index("</section>", start)])


def test_those_decided_or_withdrawn_meanwhile_are_listed_as_no_longer_waiting(
    officer_client: Client,
    reporting_officer: User,
    pending_requests: Callable[[int], list[PermissionRequest]],
) -> None:
    first, withdrawn, taken, last = pending_requests(4)
    page = choose(officer_client, [first, withdrawn, taken, last]).content.decode()
    assert "Record the decision on 4 requests" in page

    # While the officer reads the list: one applicant withdraws, and the officer's
    # delegate, at another desk, returns another.
    workflow.withdraw(withdrawn.pk, by=withdrawn.applicant, reason="The programme was cancelled.")
    delegate = UserFactory(username="bulk-delegate")
    reporting_officer.delegations_given.create(
        delegate=delegate, starts_on=today(), ends_on=today() + days(3), reason="Tour"
    )
    workflow.return_for_clarification(taken.pk, by=delegate, reason="Which channel?")

    response = decide(
        officer_client, [first, withdrawn, taken, last], decision="approve", comment="Routine."
    )

    assert [fresh(r).status for r in (first, withdrawn, taken, last)] == [
        Status.APPROVED,
        Status.WITHDRAWN,
        Status.RETURNED,
        Status.APPROVED,
    ]
    assert AuditEvent.objects.filter(action="approve").count() == 2
    assert not AuditEvent.objects.filter(
        action="approve", request_id__in=[withdrawn.pk, taken.pk]
    ).exists()
    result = response.content.decode()
    assert "2 requests approved." in result
    assert "2 requests not decided: they were no longer waiting for you." in result
    section = not_decided_section(result)
    assert f"{withdrawn.reference} was withdrawn by the applicant before your decision." in section
    assert (
        f"{taken.reference} was decided or changed by someone else before your decision: "
        "it is now Returned for clarification." in section
    )
    assert "Withdrawn" in section
    assert first.reference not in section and last.reference not in section
    # Statuses by label, never by code.
    assert ">withdrawn<" not in result and ">returned<" not in result


def test_the_list_names_those_that_moved_on_before_it_was_opened(
    officer_client: Client, pending_requests: Callable[[int], list[PermissionRequest]]
) -> None:
    kept, withdrawn = pending_requests(2)
    workflow.withdraw(withdrawn.pk, by=withdrawn.applicant)

    page = choose(officer_client, [kept, withdrawn]).content.decode()

    assert f"{withdrawn.reference} is not waiting for your decision: it is Withdrawn." in text(page)
    assert "Record the decision on 1 request" in page
    assert f'name="selected" value="{withdrawn.pk}"' not in page
