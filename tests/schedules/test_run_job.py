"""Every job runs from `manage.py run_job <name>`, from Celery beat, and is scheduled."""

from __future__ import annotations

import logging
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from conduct_portal.celery import app
from permissions import schedules, tasks
from permissions.models import AuditEvent, AuditHead, PermissionRequest, User
from permissions.states import Status
from tests.helpers import approved_until, at, clock, days

JOB_NAMES = [
    "expiry_reminders",
    "expire_approvals",
    "pending_reminders",
    "escalate_overdue",
    "delegation_endings",
    "record_audit_head",
    "verify_audit",
]


def run_job(*args: str) -> str:
    out = StringIO()
    call_command("run_job", *args, stdout=out)
    return out.getvalue()


def test_list_names_every_job() -> None:
    listed = [line.split(":", 1)[0] for line in run_job("--list").splitlines()]
    assert listed == JOB_NAMES


def test_an_unknown_job_is_refused_with_the_names_of_the_real_ones() -> None:
    with pytest.raises(CommandError) as caught:
        run_job("expire-everything")
    message = str(caught.value)
    assert "expire-everything" in message
    assert all(name in message for name in JOB_NAMES)


def test_no_name_is_refused_with_the_names() -> None:
    with pytest.raises(CommandError, match="expire_approvals"):
        run_job()


@pytest.mark.django_db
def test_the_command_runs_the_job_and_reports_what_it_did(
    servant: User, reporting_officer: User
) -> None:
    last_day = timezone.localdate() + days(1)
    request = approved_until(servant, reporting_officer, last_day)

    with clock(at(last_day + days(1), 2)):
        output = run_job("expire_approvals")

    assert PermissionRequest.objects.get(pk=request.pk).status == Status.EXPIRED
    assert "expire_approvals: batches 1, done 1, refused 0, failed 0" in output


@pytest.mark.django_db
def test_the_celery_task_runs_the_same_job(servant: User, reporting_officer: User) -> None:
    last_day = timezone.localdate() + days(1)
    request = approved_until(servant, reporting_officer, last_day)

    with clock(at(last_day + days(1), 2)):
        result = tasks.job_expire_approvals.delay().get()

    assert result["done"] == 1
    assert PermissionRequest.objects.get(pk=request.pk).status == Status.EXPIRED


def test_beat_schedules_every_job_as_a_registered_task_and_keeps_the_outbox_sweep() -> None:
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    # The console's and other parts' own jobs are scheduled beside these.
    assert {"permissions.sweep_outbox"} | {f"permissions.job.{name}" for name in JOB_NAMES} <= (
        scheduled
    )
    app.loader.import_default_modules()
    assert scheduled <= set(app.tasks)
    assert set(schedules.JOBS) == set(JOB_NAMES)


@pytest.mark.django_db
def test_record_audit_head_keeps_the_newest_event_its_hash_and_the_count(
    servant: User, reporting_officer: User, caplog: pytest.LogCaptureFixture
) -> None:
    approved_until(servant, reporting_officer, timezone.localdate() + days(5))
    newest = AuditEvent.objects.latest("id")

    with caplog.at_level(logging.INFO):
        report = schedules.record_audit_head()

    assert report == {"events": AuditEvent.objects.count(), "newest_id": newest.pk}
    assert report["events"] >= 2
    head = AuditHead.objects.get()
    assert (head.event_id, head.hash, head.count) == (newest.pk, newest.hash, report["events"])
    # The log keeps a copy outside the database.
    assert newest.hash in caplog.text
