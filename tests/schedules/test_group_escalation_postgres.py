"""Two escalation runs at the same moment, each on its own connection, over requests
waiting at the media cell: every group step is escalated once, with one audit event, and
every person is told once."""

from __future__ import annotations

from collections import Counter

import pytest
from django.conf import settings
from django.core import mail

from permissions import schedules, workflow
from permissions.models import ApprovalStep, AuditEvent, Notification, User
from permissions.states import Action
from tests.factories import UserFactory, submitted_request
from tests.helpers import at, at_once, clock, concurrent_on_postgres, days, errors_of

from .conftest import MONDAY

pytestmark = [
    *concurrent_on_postgres("overlapping runs need real concurrent connections"),
    pytest.mark.usefixtures("media_cell_rule"),
]

REQUESTS = 30
RUNS = 2


@pytest.mark.parametrize("batch_size", [schedules.BATCH_SIZE, 7])
def test_overlapping_runs_escalate_each_group_step_once(
    servant: User, reporting_officer: User, cell_members: list[User], batch_size: int
) -> None:
    chief = UserFactory(username="js-media", designation="Joint Secretary (Media)", bps=20)
    head, officer = cell_members
    User.objects.filter(pk=head.pk).update(reporting_officer=chief)
    User.objects.filter(pk=officer.pk).update(reporting_officer=head)
    with clock(at(MONDAY, 10)):
        waiting = [submitted_request(servant) for _ in range(REQUESTS)]
        for request in waiting:
            workflow.approve(request.pk, by=reporting_officer)
    mail.outbox.clear()

    with clock(at(MONDAY + days(settings.ESCALATE_AFTER_DAYS), 11)):
        outcomes = at_once(*[lambda: schedules.escalate_overdue(batch_size=batch_size)] * RUNS)
        again = schedules.escalate_overdue(batch_size=batch_size)

    assert errors_of(outcomes) == []
    reports: list[schedules.JobReport] = outcomes  # type: ignore[assignment]
    assert sum(report["done"] for report in reports) == REQUESTS, reports
    assert sum(report["failed"] for report in reports) == 0, reports
    assert again["done"] == again["refused"] == 0, again
    ids = [request.pk for request in waiting]
    assert (
        list(
            ApprovalStep.objects.filter(request_id__in=ids, order=2).values_list(
                "escalations", flat=True
            )
        )
        == [1] * REQUESTS
    )
    assert Counter(
        AuditEvent.objects.filter(action=Action.ESCALATE).values_list("request_id", flat=True)
    ) == Counter(dict.fromkeys(ids, 1))
    people = [head, officer, chief, servant]
    rows = Notification.objects.filter(kind="escalated")
    assert Counter(rows.values_list("request_id", "recipient_id")) == Counter(
        (pk, person.pk) for pk in ids for person in people
    )
    assert Counter(message.to[0] for message in mail.outbox) == Counter(
        {person.email: REQUESTS for person in people}
    )
