"""Celery tasks: a few lines each; the work lives in outbox and schedules."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.utils import timezone

from . import audit, outbox, schedules
from .models import AuditVerification

# Reading the whole chain takes about a minute per million events on PostgreSQL:
# longer than the default task time limit allows.
VERIFY_SOFT_TIME_LIMIT, VERIFY_TIME_LIMIT = 3_500, 3_600


@shared_task(name="permissions.ping")
def ping(token: str) -> str:
    """Echo a token back: proves a worker takes tasks from the broker."""
    return f"pong:{token}"


@shared_task(
    name="permissions.deliver_notification",
    bind=True,
    max_retries=None,  # the outbox counts attempts and gives up itself
    acks_late=True,
    reject_on_worker_lost=True,
)
def deliver_notification(self: Any, notification_id: int) -> str:
    try:
        return outbox.deliver(notification_id)
    except outbox.TransientDeliveryError as error:
        # Come back when the row says: its attempts count survives a sweep's re-enqueue,
        # which starts a fresh task whose own retry count is zero.
        countdown = max((error.retry_at - timezone.now()).total_seconds(), 0.0)
        raise self.retry(exc=error, countdown=countdown) from error


@shared_task(
    name="permissions.deliver_notifications",
    acks_late=True,
    reject_on_worker_lost=True,
)
def deliver_notifications(notification_ids: list[int]) -> dict[str, int]:
    """A chunk of a job's notifications. Each is claimed on its own, so a chunk that
    runs twice (its worker died) sends nothing twice; what it leaves, the sweep finds."""
    return outbox.deliver_many(notification_ids)


@shared_task(name="permissions.sweep_outbox")
def sweep_outbox() -> int:
    return outbox.sweep()


# The scheduled jobs (permissions/schedules.py), run by Celery beat.


@shared_task(name="permissions.job.expiry_reminders")
def job_expiry_reminders() -> dict[str, int]:
    return schedules.expiry_reminders()


@shared_task(name="permissions.job.expire_approvals")
def job_expire_approvals() -> dict[str, int]:
    return schedules.expire_approvals()


@shared_task(name="permissions.job.pending_reminders")
def job_pending_reminders() -> dict[str, int]:
    return schedules.pending_reminders()


@shared_task(name="permissions.job.escalate_overdue")
def job_escalate_overdue() -> dict[str, int]:
    return schedules.escalate_overdue()


@shared_task(name="permissions.job.delegation_endings")
def job_delegation_endings() -> dict[str, int]:
    return schedules.delegation_endings()


@shared_task(name="permissions.job.record_audit_head")
def job_record_audit_head() -> dict[str, int]:
    return schedules.record_audit_head()


@shared_task(
    name="permissions.job.verify_audit",
    soft_time_limit=VERIFY_SOFT_TIME_LIMIT,
    time_limit=VERIFY_TIME_LIMIT,
)
def job_verify_audit() -> dict[str, int]:
    return schedules.verify_audit()


@shared_task(
    name="permissions.verify_audit_run",
    soft_time_limit=VERIFY_SOFT_TIME_LIMIT,
    time_limit=VERIFY_TIME_LIMIT,
)
def verify_audit_run(run_id: int) -> bool | None:
    """A verification asked for on the auditor console: it reads the whole chain, and
    every request and file against it, which can take longer than a web request may."""
    run = AuditVerification.objects.get(pk=run_id)
    if run.finished_at is not None:
        return run.ok
    return audit.finish_verification(run, content=True).ok
