"""The expiry-reminder sweep spends a fixed number of queries per batch, whatever the
number of approvals; beyond that it pays only for the outbox rows it writes."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from permissions import schedules
from permissions.models import Notification, PermissionRequest, Reminder, User
from permissions.states import Status
from tests.factories import platform
from tests.helpers import at, clock, days

pytestmark = pytest.mark.django_db

APPROVALS = 10_000
SERVANTS = 200


@contextmanager
def counted_queries() -> Iterator[Counter[str]]:
    """Every statement sent to the database, sorted into what notify() spends (opt-out
    lookups, inserts, savepoints) and everything else."""
    counts: Counter[str] = Counter()

    def count(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        text = sql.lstrip().upper()
        if "PERMISSIONS_NOTIFICATION" in text or "PERMISSIONS_EMAILPREFERENCE" in text:
            counts["outbox"] += 1
        elif text.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            counts["savepoint"] += 1
        else:
            counts["job"] += 1
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        yield counts


def approvals_ending(on: datetime.date, count: int) -> None:
    """`count` approvals by SERVANTS servants, each with a reporting officer, all valid
    until `on`; written in bulk, as the reminder job only reads them."""
    officer = User.objects.create(username="bulk-officer", email="bulk-officer@example.test")
    servants = User.objects.bulk_create(
        [
            User(
                username=f"bulk-servant-{n}",
                email=f"bulk-servant-{n}@example.test",
                reporting_officer=officer,
            )
            for n in range(SERVANTS)
        ]
    )
    decided = timezone.now() - days(30)
    tv = platform("television")
    PermissionRequest.objects.bulk_create(
        [
            PermissionRequest(
                reference=f"MP-BULK-{n:06d}",
                applicant=servants[n % SERVANTS],
                status=Status.APPROVED,
                round=1,
                platform=tv,
                participation="interview",
                topic="Digital services for citizens",
                valid_from=on - days(60),
                valid_until=on,
                decided_at=decided,
            )
            for n in range(count)
        ],
        batch_size=500,
    )


def test_ten_thousand_approvals_cost_a_fixed_number_of_queries_per_batch() -> None:
    last_day = timezone.localdate() + days(30)
    approvals_ending(last_day, APPROVALS)

    with clock(at(last_day - days(7), 8)), counted_queries() as counts:
        report = schedules.expiry_reminders()

    batches = -(-APPROVALS // schedules.BATCH_SIZE)
    written = Notification.objects.filter(kind="expiry_reminder").count()
    assert report["reminded"] == APPROVALS
    assert report["notifications"] == written == 2 * APPROVALS
    assert Reminder.objects.filter(kind="expiry_reminder", key="7").count() == APPROVALS
    # Selecting candidates, checking and recording reminders, and loading the requests
    # with their applicants and officers: the same handful of queries per batch of 500,
    # never one per approval.
    assert counts["job"] <= 8 * (batches + 1), counts
    # notify() itself: one insert per outbox row, each in a savepoint of its own, plus
    # one opt-out lookup per batch for everyone the batch notifies.
    assert counts["outbox"] <= written + batches + 1, counts
    assert counts["savepoint"] <= 2 * written + 2 * (batches + 1), counts


def test_a_second_sweep_over_the_same_approvals_writes_nothing() -> None:
    last_day = timezone.localdate() + days(30)
    approvals_ending(last_day, 1_200)

    with clock(at(last_day - days(7), 8)):
        schedules.expiry_reminders()
    with clock(at(last_day - days(7), 20)), counted_queries() as counts:
        report = schedules.expiry_reminders()

    assert report == {"batches": 3, "reminded": 0, "notifications": 0, "failed": 0}
    assert Notification.objects.filter(kind="expiry_reminder").count() == 2 * 1_200
    assert counts["outbox"] == 0
    assert counts["job"] <= 3 * (3 + 1), counts
