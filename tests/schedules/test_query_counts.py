"""The expiry-reminder sweep spends a fixed number of queries per batch, whatever the
number of approvals in a batch, its outbox rows included (one INSERT a batch). Ten times
the approvals in as many batches must cost the same queries, so a query per approval
cannot hide. bench/reminder_sweep.py runs the sweep over 100,000."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.conf import settings

from permissions import outbox, schedules
from permissions.models import ApprovalStep, Notification, PermissionRequest, Reminder, User
from permissions.states import Status, StepStatus
from permissions.tasks import deliver_notification, deliver_notifications
from tests.helpers import (
    at,
    bulk_approvals,
    clock,
    counted_statements,
    days,
    sweep_statement,
    today,
)

from .conftest import MONDAY

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


# --- the jobs that act through the workflow ---------------------------------------------
#
# Expiry and escalation change each request through the workflow, one transaction each
# (its lock, its audit event, its outbox rows), as any person's action does: so their
# statements grow by a fixed number per request. What a batch shares is the hand-over to
# the workers: one task for the batch's mails, not one per mail.


@contextmanager
def tasks_enqueued() -> Iterator[tuple[list[list[int]], list[int]]]:
    """The chunks sent to deliver_notifications and the ids sent one by one to
    deliver_notification inside the block, none of them run. Each workflow action's
    transaction commits where it ends, as outside a test (here they are savepoints of
    the test's transaction, whose on-commit callbacks would wait for its end)."""
    chunks: list[list[int]] = []
    singles: list[int] = []
    with (
        mock.patch.object(deliver_notifications, "delay", chunks.append),
        mock.patch.object(deliver_notification, "delay", singles.append),
        mock.patch.object(outbox.transaction, "on_commit", lambda callback: callback()),
    ):
        yield chunks, singles


def bulk_waiting(count: int, *, since: datetime.datetime, prefix: str) -> list[int]:
    """`count` requests pending at step 1 since `since`, each held by the same officer,
    who has a reporting officer to escalate to; written in bulk, bypassing the workflow."""
    head = User.objects.create(username=f"{prefix}-head", email=f"{prefix}-head@example.test")
    officer = User.objects.create(
        username=f"{prefix}-holder", email=f"{prefix}-holder@example.test", reporting_officer=head
    )
    bulk_approvals(today() + days(30), count, servants=max(count // 2, 1), prefix=prefix)
    requests = PermissionRequest.objects.filter(reference__startswith=f"MP-{prefix.upper()}-")
    requests.update(
        status=Status.PENDING,
        current_step=1,
        submitted_at=since,
        valid_from=None,
        valid_until=None,
        decided_at=None,
    )
    ids = list(requests.values_list("pk", flat=True))
    ApprovalStep.objects.bulk_create(
        ApprovalStep(
            request_id=pk,
            round=1,
            order=1,
            assignee=officer,
            reason="Reporting officer",
            status=StepStatus.PENDING,
            started_at=since,
        )
        for pk in ids
    )
    return ids


def expire(approvals: int, last_day: datetime.date, prefix: str) -> Counter[str]:
    bulk_approvals(last_day, approvals, servants=approvals // 2, prefix=prefix)
    before = Notification.objects.filter(kind="expired").count()

    with (
        clock(at(last_day + days(1), 1)),
        counted_statements(sweep_statement) as counts,
        tasks_enqueued() as (chunks, singles),
    ):
        report = schedules.expire_approvals(batch_size=approvals // BATCHES)

    assert report == {"batches": BATCHES, "done": approvals, "refused": 0, "failed": 0}
    written = list(
        Notification.objects.filter(kind="expired").order_by("pk").values_list("pk", flat=True)
    )[before:]
    assert len(written) == approvals
    # The mails of a batch go to the workers as one task (a batch is within a chunk).
    assert len(chunks) == BATCHES
    assert sorted(pk for chunk in chunks for pk in chunk) == written
    assert singles == []
    return counts


def test_expiry_spends_the_same_statements_on_each_request_and_one_task_a_batch() -> None:
    few = expire(20, today() + days(3), "few")
    many = expire(200, today() + days(6), "many")

    # The outbox: an opt-out lookup and a row (in its savepoint) per expired approval.
    assert many["outbox"] == 10 * few["outbox"], (few, many)
    assert many["savepoint"] == 10 * few["savepoint"], (few, many)
    # The workflow's own statements per request; the batches' selection is shared.
    assert many["job"] * 20 <= few["job"] * 200, (few, many)


def escalate(
    requests: int,
    prefix: str,
    *,
    waiting: Callable[..., list[int]] = bulk_waiting,
    told_per_request: int = 3,
) -> Counter[str]:
    """Run the escalation job over `requests` steps written by `waiting`, checking that
    each request's `told_per_request` mails go out a chunk of tasks a batch; returns the
    statements it spent."""
    since = at(MONDAY, 10)
    ids = waiting(requests, since=since, prefix=prefix)
    before = Notification.objects.filter(kind="escalated").count()

    with (
        clock(since + days(settings.ESCALATE_AFTER_DAYS + 1)),
        counted_statements(sweep_statement) as counts,
        tasks_enqueued() as (chunks, singles),
    ):
        report = schedules.escalate_overdue(batch_size=requests // BATCHES)

    assert report == {"batches": BATCHES, "done": requests, "refused": 0, "failed": 0}
    assert ApprovalStep.objects.filter(request_id__in=ids, escalations=1).count() == requests
    written = list(
        Notification.objects.filter(kind="escalated").order_by("pk").values_list("pk", flat=True)
    )[before:]
    # An officer's step: the new officer, the one passed over and the servant.
    assert len(written) == told_per_request * requests
    # A batch's mails in as few tasks as its chunks, never one per mail.
    per_batch = -(-told_per_request * (requests // BATCHES) // outbox.DELIVERY_CHUNK)
    assert len(chunks) == BATCHES * per_batch
    assert sorted(pk for chunk in chunks for pk in chunk) == written
    assert singles == []
    return counts


def test_escalation_spends_the_same_statements_on_each_request_and_a_task_a_chunk() -> None:
    few = escalate(20, "few")
    many = escalate(200, "many")

    assert many["outbox"] == 10 * few["outbox"], (few, many)
    assert many["savepoint"] == 10 * few["savepoint"], (few, many)
    assert many["job"] * 20 <= few["job"] * 200, (few, many)
