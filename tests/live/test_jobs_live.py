"""The scheduled jobs on the real stack: a `celery worker` process takes them from Redis
by name, works on PostgreSQL and mails through an SMTP server on loopback; `celery beat`
runs with the schedule of the settings and keeps the outbox moving."""

from __future__ import annotations

import ast
import datetime
import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from permissions import emails
from permissions.content import decision_digest
from permissions.models import (
    ApprovalStep,
    AuditEvent,
    Notification,
    PermissionRequest,
    Reminder,
    User,
)
from permissions.models.notifications import DeliveryStatus, NotificationKind
from permissions.states import Status, StepStatus
from permissions.tasks import deliver_notification
from tests.factories import submitted_request
from tests.helpers import approved_until, at, clock, days

from .conftest import MailServer, Started, Workers, celery, holds_for, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("reference_data"),
]

# Beat sends the sweep of the outbox one interval after it starts (OUTBOX_SWEEP_SECONDS,
# shortened here); the worker then needs a moment for the sweep and its deliveries.
SWEEP_SECONDS = 5
BEAT_DEADLINE = 40.0


def task_result(workers: Workers, name: str, task_id: str) -> Any:
    """What task `task_id` returned, read from the worker's log once it succeeded."""
    succeeded = re.compile(rf"Task {re.escape(name)}\[{task_id}\] succeeded in [0-9.e-]+s: (.*)")
    failed = f"Task {name}[{task_id}] raised"
    found: list[str] = []

    def done() -> bool:
        text = workers.full_log()
        assert failed not in text, text[-6000:]
        match = succeeded.search(text)
        if match:
            found.append(match.group(1))
        return bool(match)

    wait_for(done, f"{name}[{task_id}] succeeding", workers.logs)
    return ast.literal_eval(found[0])


def send_job(queue: str, job: str) -> str:
    """Send a scheduled job by its task name, as beat does; the id of the message."""
    from conduct_portal.celery import app

    return str(app.send_task(f"permissions.job.{job}", queue=queue).id)


def run_twice(workers: Workers, queue: str, job: str) -> tuple[Any, Any]:
    """Send the job twice back to back, as a repeated beat would; both reports."""
    first, second = send_job(queue, job), send_job(queue, job)
    name = f"permissions.job.{job}"
    return task_result(workers, name, first), task_result(workers, name, second)


def copies(server: MailServer, row: Notification) -> list[Any]:
    """The mails at the server that carry this notification's Message-ID."""
    message_id = emails.message_id(row.dedupe_key)
    return [m for m in list(server.messages) if m["Message-ID"] == message_id]


def all_sent(rows: list[Notification]) -> bool:
    sent = Notification.objects.filter(pk__in=[row.pk for row in rows], status=DeliveryStatus.SENT)
    return sent.count() == len(rows)


def assert_mailed_once(server: MailServer, rows: list[Notification]) -> None:
    for row in rows:
        recipient = User.objects.get(pk=row.recipient_id)
        [message] = copies(server, row)
        assert (message["To"], message["Subject"]) == (recipient.email, row.subject)


def new_rows(before: set[int], kind: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).exclude(pk__in=before).order_by("pk"))


def mailed(
    server: MailServer, workers: Workers, before: set[int], kind: str, recipients: list[User]
) -> list[Notification]:
    """The notifications of `kind` written since `before`: one per recipient, each sent
    and at the server exactly once."""
    rows = new_rows(before, kind)
    assert sorted(row.recipient_id for row in rows) == sorted(user.pk for user in recipients)
    wait_for(
        lambda: all_sent(rows) and all(copies(server, row) for row in rows),
        f"the {kind} mails",
        lambda: f"{workers.logs()}\n{server.summary()}",
    )
    assert_mailed_once(server, rows)
    return rows


def settle(server: MailServer, workers: Workers) -> set[int]:
    """Wait until every notification written so far has reached the server; their ids."""

    def settled() -> bool:
        rows = Notification.objects.all()
        return not rows.exclude(
            status__in=[DeliveryStatus.SENT, DeliveryStatus.PORTAL_ONLY]
        ).exists() and (server.count() == rows.filter(status=DeliveryStatus.SENT).count())

    wait_for(settled, "the mails of the set-up", lambda: f"{workers.logs()}\n{server.summary()}")
    return set(Notification.objects.values_list("pk", flat=True))


def test_the_jobs_sent_by_name_run_on_a_worker_and_mail_each_person_once(
    mail_server: tuple[MailServer, int],
    workers: Workers,
    queue: str,
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
) -> None:
    server, _port = mail_server
    workers.start()
    today = timezone.localdate()
    offset = max(settings.EXPIRY_REMINDER_DAYS)
    with clock(at(today - days(30), 10)):
        ended = approved_until(servant, reporting_officer, today - days(1))
    with clock(at(today - days(offset + 5), 10)):
        ending = approved_until(servant, reporting_officer, today + days(offset))
    with clock(timezone.now() - days(settings.ESCALATE_AFTER_DAYS + 1)):
        waiting = submitted_request(servant)
    before = settle(server, workers)
    mails_before = server.count()

    # An approval past its last valid day ends through the workflow, once.
    done, again = run_twice(workers, queue, "expire_approvals")
    assert done == {"batches": 1, "done": 1, "refused": 0, "failed": 0}
    assert again == {"batches": 0, "done": 0, "refused": 0, "failed": 0}
    assert PermissionRequest.objects.get(pk=ended.pk).status == Status.EXPIRED
    [event] = AuditEvent.objects.filter(request_id=ended.pk, action="expire")
    assert (event.actor_id, event.from_status, event.to_status) == (
        None,
        Status.APPROVED,
        Status.EXPIRED,
    )
    assert event.data["valid_until"] == (today - days(1)).isoformat()
    # What the worker decided is on the chain, and the row still holds it.
    assert event.data["decision"] == decision_digest(PermissionRequest.objects.get(pk=ended.pk))
    mailed(server, workers, before, NotificationKind.EXPIRED, [servant])

    # The approval ending in `offset` days reminds the servant and their officer, once.
    done, again = run_twice(workers, queue, "expiry_reminders")
    assert done == {"batches": 1, "reminded": 1, "notifications": 2, "failed": 0}
    assert again == {"batches": 1, "reminded": 0, "notifications": 0, "failed": 0}
    [reminder] = Reminder.objects.filter(request_id=ending.pk)
    assert (reminder.kind, reminder.key) == (NotificationKind.EXPIRY_REMINDER, str(offset))
    rows = mailed(
        server, workers, before, NotificationKind.EXPIRY_REMINDER, [servant, reporting_officer]
    )
    assert {row.request_id for row in rows} == {ending.pk}
    plural = "" if offset == 1 else "s"
    assert {row.subject for row in rows} == {
        f"The approval of {ending.reference} expires in {offset} day{plural}"
    }

    # The step waiting past the SLA reminds its officer, once today.
    done, again = run_twice(workers, queue, "pending_reminders")
    assert done == {"batches": 1, "reminded": 1, "notifications": 1, "failed": 0}
    assert again == {"batches": 1, "reminded": 0, "notifications": 0, "failed": 0}
    [reminder] = Reminder.objects.filter(request_id=waiting.pk)
    assert (reminder.kind, reminder.key) == (NotificationKind.PENDING_REMINDER, today.isoformat())
    mailed(server, workers, before, NotificationKind.PENDING_REMINDER, [reporting_officer])

    # The same step, overdue, goes up to the officer's own officer, once.
    done, again = run_twice(workers, queue, "escalate_overdue")
    assert done == {"batches": 1, "done": 1, "refused": 0, "failed": 0}
    assert again == {"batches": 0, "done": 0, "refused": 0, "failed": 0}
    [step] = ApprovalStep.objects.filter(request_id=waiting.pk, status=StepStatus.PENDING)
    assert (step.assignee_id, step.escalated_from_id, step.escalations) == (
        countersigning_officer.pk,
        reporting_officer.pk,
        1,
    )
    [event] = AuditEvent.objects.filter(request_id=waiting.pk, action="escalate")
    assert event.actor_id is None
    mailed(
        server,
        workers,
        before,
        NotificationKind.ESCALATED,
        [servant, reporting_officer, countersigning_officer],
    )

    # The audit job runs on the worker too, and writes no notification.
    head, again = run_twice(workers, queue, "record_audit_head")
    assert isinstance(head, dict) and isinstance(again, dict), (head, again)

    # 1 expired + 2 expiry reminders + 1 pending reminder + 3 escalated, nothing more.
    assert server.count() == mails_before + 7, server.summary()
    written = Notification.objects.count()
    jobs = ("expire_approvals", "expiry_reminders", "pending_reminders", "escalate_overdue")
    sent = {job: send_job(queue, job) for job in jobs}
    for job, task_id in sent.items():
        report = task_result(workers, f"permissions.job.{job}", task_id)
        assert report.get("done", 0) == report.get("reminded", 0) == 0, (job, report)
    holds_for(
        3,
        lambda: server.count() == mails_before + 7 and Notification.objects.count() == written,
        f"a repeated job may mail nobody again\n{server.summary()}",
    )
    assert Reminder.objects.count() == 2


class Beat:
    """`celery -A conduct_portal beat` with the settings' schedule, its schedule file
    under tmp_path, sending to the test's queue; stopped with the workers, before the
    queue is cleaned."""

    def __init__(self, workers: Workers, tmp_path: Path) -> None:
        self.workers = workers
        self.schedule = tmp_path / "celerybeat-schedule"
        self.started: Started | None = None

    def start(self) -> None:
        self.started = self.workers.processes.start(
            "beat",
            celery("beat", "--loglevel=DEBUG", f"--schedule={self.schedule}"),
            # The sweep's first beat comes one interval after start: a short one here.
            {**self.workers.env, "OUTBOX_SWEEP_SECONDS": str(SWEEP_SECONDS)},
            ready="beat: Starting...",
        )

    def text(self) -> str:
        return self.started.text() if self.started else ""


@pytest.fixture
def beat(workers: Workers, tmp_path: Path) -> Beat:
    return Beat(workers, tmp_path)


def test_beat_sends_the_outbox_sweep_which_delivers_a_lost_mail_once(
    mail_server: tuple[MailServer, int],
    workers: Workers,
    beat: Beat,
    queue: str,
    servant: User,
    reporting_officer: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, _port = mail_server
    assert workers.env["CELERY_TASK_DEFAULT_QUEUE"] == queue
    workers.start()

    def broker_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("Error 111 connecting to Redis. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(deliver_notification, "delay", broker_down)
        request = submitted_request(servant)

    lost = list(Notification.objects.filter(request_id=request.pk).order_by("pk"))
    assert sorted((row.kind, row.recipient_id) for row in lost) == sorted(
        [(NotificationKind.SUBMITTED, reporting_officer.pk), (NotificationKind.RECEIPT, servant.pk)]
    )
    now = timezone.now()
    for row in lost:
        assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 0)
        assert row.next_attempt_at <= now
    holds_for(2, lambda: server.count() == 0, "nothing was enqueued, so nothing may arrive")

    started = time.monotonic()
    beat.start()
    wait_for(
        lambda: all_sent(lost) and all(copies(server, row) for row in lost),
        "delivery of the lost mails by beat's sweep",
        lambda: f"{workers.logs()}\n{server.summary()}",
        seconds=BEAT_DEADLINE,
    )
    took = datetime.timedelta(seconds=time.monotonic() - started)
    assert_mailed_once(server, lost)
    for row in lost:
        assert Notification.objects.get(pk=row.pk).attempts == 1

    log = beat.text()
    assert str(beat.schedule) in log, "beat keeps its schedule in the file it was given"
    assert "Current schedule:" in log, log
    current = log.split("Current schedule:", 1)[1]
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["sweep-outbox"]["task"] == "permissions.sweep_outbox"
    for entry, options in schedule.items():
        listed = rf"<ScheduleEntry: {re.escape(entry)} {re.escape(options['task'])}\("
        assert re.search(listed, current), (entry, log)
    assert "Scheduler: Sending due task sweep-outbox (permissions.sweep_outbox)" in log, log
    sweeps = re.findall(
        r"Task permissions\.sweep_outbox\[[0-9a-f-]+\] succeeded in [0-9.e-]+s: (\d+)",
        workers.full_log(),
    )
    assert sweeps[:1] == ["2"], (sweeps, took, workers.logs())

    holds_for(3, lambda: server.count() == 2, server.summary())
    assert_mailed_once(server, lost)
