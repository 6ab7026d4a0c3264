"""The expiry-reminder sweep spends a fixed number of queries per batch, whatever the
number of approvals in a batch, its outbox rows included (one INSERT a batch). Ten times
the approvals in as many batches must cost the same queries, so a query per approval
cannot hide. bench/reminder_sweep.py runs the sweep over 100,000."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from permissions import schedules
from permissions.models import Notification, Reminder
from tests.helpers import (
    at,
    bulk_approvals,
    clock,
    counted_statements,
    days,
    sweep_statement,
    today,
)

pytestmark = pytest.mark.django_db

BATCHES = 4


def sweep(approvals: int, last_day: datetime.date, prefix: str) -> Counter[str]:
    """Remind `approvals` approvals ending on `last_day`, in BATCHES batches, a week
    before; the statements the sweep sent, by what they paid for."""
    bulk_approvals(last_day, approvals, servants=approvals // 2, prefix=prefix)
    batch_size = approvals // BATCHES
    reminded_before = Notification.objects.filter(kind="expiry_reminder").count()

    with clock(at(last_day - days(7), 8)), counted_statements(sweep_statement) as counts:
        report = schedules.expiry_reminders(batch_size=batch_size)

    written = Notification.objects.filter(kind="expiry_reminder").count() - reminded_before
    assert report["batches"] == BATCHES
    assert report["reminded"] == approvals
    assert report["notifications"] == written == 2 * approvals
    reminders = Reminder.objects.filter(kind="expiry_reminder", key="7")
    assert reminders.filter(request__valid_until=last_day).count() == approvals
    # Selecting candidates, checking and recording reminders, and loading the requests
    # with their applicants and officers: the same handful of queries per batch, never
    # one per approval.
    assert counts["job"] <= 8 * (BATCHES + 1), counts
    # The outbox: one opt-out lookup for everyone a batch notifies, and its rows in one
    # INSERT (split only where SQLite's limit of 999 parameters makes Django split it,
    # every ~80 rows); no savepoint per row (only the batch's own transaction).
    assert counts["outbox"] <= 2 * (BATCHES + 1) + written // 80, counts
    assert counts["savepoint"] <= 2 * (BATCHES + 1), counts
    return counts


def test_ten_times_the_approvals_cost_the_job_the_same_queries_per_batch() -> None:
    few = sweep(20, today() + days(30), "few")
    many = sweep(200, today() + days(60), "many")

    assert many["job"] == few["job"], (few, many)
    assert many["outbox"] - few["outbox"] <= 2 * (200 - 20) // 80, (few, many)


def test_a_second_sweep_over_the_same_approvals_writes_nothing() -> None:
    last_day = today() + days(30)
    bulk_approvals(last_day, 30, servants=15)

    with clock(at(last_day - days(7), 8)):
        schedules.expiry_reminders(batch_size=10)
    with clock(at(last_day - days(7), 20)), counted_statements(sweep_statement) as counts:
        report = schedules.expiry_reminders(batch_size=10)

    assert report == {"batches": 3, "reminded": 0, "notifications": 0, "failed": 0}
    assert Notification.objects.filter(kind="expiry_reminder").count() == 2 * 30
    assert counts["outbox"] == 0
    assert counts["job"] <= 3 * (3 + 1), counts
