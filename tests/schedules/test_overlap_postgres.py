"""Two runs of a reminder job at the same moment, each on its own connection: every
reminder is recorded once, every person gets it once, and the two reports between them
count it once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core import mail

from permissions import schedules
from permissions.emails import message_id
from permissions.models import Delegation, Notification, PermissionRequest, Reminder, User
from permissions.models.notifications import NotificationKind
from tests.factories import UserFactory, submitted_request
from tests.helpers import (
    approved_until,
    at,
    at_once,
    clock,
    concurrent_on_postgres,
    days,
    errors_of,
)

from .conftest import MONDAY

pytestmark = concurrent_on_postgres("overlapping runs need real concurrent connections")

REQUESTS = 30
RUNS = 2
THURSDAY, FRIDAY = MONDAY + days(3), MONDAY + days(4)
NEXT_MONDAY, NEXT_TUESDAY = MONDAY + days(7), MONDAY + days(8)


def overlapping(job: Callable[[], schedules.JobReport]) -> list[schedules.JobReport]:
    """Start RUNS runs of the job at once, each in a thread with its own connection."""
    outcomes = at_once(*[job] * RUNS)
    assert errors_of(outcomes) == []
    return outcomes  # type: ignore[return-value]


def total(reports: list[schedules.JobReport], key: str) -> int:
    return sum(report[key] for report in reports)


def written_since(seen: set[int], kind: str) -> list[Notification]:
    rows = list(Notification.objects.filter(kind=kind).exclude(pk__in=seen))
    seen.update(row.pk for row in rows)
    return rows


def assert_once_each(
    rows: list[Notification], requests: list[PermissionRequest], recipients: list[User]
) -> None:
    """Exactly one notification per (request, recipient), and exactly one mail for each."""
    assert Counter((row.request_id, row.recipient_id) for row in rows) == Counter(
        (request.pk, person.pk) for request in requests for person in recipients
    )
    emails = {person.pk: person.email for person in recipients}
    assert Counter(
        (message.to[0], message.subject, message.extra_headers["Message-ID"])
        for message in mail.outbox
    ) == Counter(
        (emails[row.recipient_id], row.subject, message_id(row.dedupe_key)) for row in rows
    )


@pytest.mark.parametrize("batch_size", [schedules.BATCH_SIZE, 7])
def test_overlapping_expiry_reminder_runs_remind_each_approval_once(
    servant: User, reporting_officer: User, batch_size: int
) -> None:
    last_day = MONDAY + days(30)
    with clock(at(MONDAY, 10)):
        approvals = [approved_until(servant, reporting_officer, last_day) for _ in range(REQUESTS)]
    seen = set(Notification.objects.values_list("pk", flat=True))

    for offset in sorted(settings.EXPIRY_REMINDER_DAYS, reverse=True):
        mail.outbox.clear()
        with clock(at(last_day - days(offset), 8)):
            reports = overlapping(lambda: schedules.expiry_reminders(batch_size=batch_size))
            again = overlapping(lambda: schedules.expiry_reminders(batch_size=batch_size))

        assert total(reports, "reminded") == REQUESTS, reports
        assert total(reports, "notifications") == 2 * REQUESTS, reports
        assert total(reports, "failed") == 0, reports
        assert total(again, "reminded") == total(again, "notifications") == 0, again
        assert total(again, "failed") == 0, again
        reminders = Reminder.objects.filter(kind=NotificationKind.EXPIRY_REMINDER, key=str(offset))
        assert sorted(reminders.values_list("request_id", flat=True)) == sorted(
            request.pk for request in approvals
        )
        rows = written_since(seen, NotificationKind.EXPIRY_REMINDER)
        assert_once_each(rows, approvals, [servant, reporting_officer])

    assert Reminder.objects.count() == REQUESTS * len(set(settings.EXPIRY_REMINDER_DAYS))


@pytest.mark.parametrize("batch_size", [schedules.BATCH_SIZE, 7])
def test_overlapping_pending_reminder_runs_remind_each_holder_once_a_day(
    servant: User, reporting_officer: User, batch_size: int
) -> None:
    acting: User = UserFactory.create(username="acting", designation="Deputy Secretary (acting)")
    Delegation.objects.create(
        delegator=reporting_officer,
        delegate=acting,
        starts_on=MONDAY,
        ends_on=NEXT_TUESDAY,
        reason="Earned leave",
    )
    with clock(at(MONDAY, 10)):
        waiting = [submitted_request(servant) for _ in range(REQUESTS)]
    seen = set(Notification.objects.values_list("pk", flat=True))

    for day in (THURSDAY, FRIDAY, NEXT_MONDAY, NEXT_TUESDAY):
        mail.outbox.clear()
        with clock(at(day, 11)):
            reports = overlapping(lambda: schedules.pending_reminders(batch_size=batch_size))
            again = overlapping(lambda: schedules.pending_reminders(batch_size=batch_size))

        assert total(reports, "reminded") == REQUESTS, reports
        assert total(reports, "notifications") == 2 * REQUESTS, reports
        assert total(reports, "failed") == 0, reports
        assert total(again, "reminded") == total(again, "notifications") == 0, again
        assert total(again, "failed") == 0, again
        reminders = Reminder.objects.filter(
            kind=NotificationKind.PENDING_REMINDER, key=day.isoformat()
        )
        assert sorted(reminders.values_list("request_id", flat=True)) == sorted(
            request.pk for request in waiting
        )
        rows = written_since(seen, NotificationKind.PENDING_REMINDER)
        assert_once_each(rows, waiting, [reporting_officer, acting])

    assert Reminder.objects.count() == 4 * REQUESTS
