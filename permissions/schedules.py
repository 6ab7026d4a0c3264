"""The scheduled jobs: plain functions that Celery beat runs (``permissions.tasks``) and
that ``manage.py run_job <name>`` runs by hand.

Every job may run twice, late, or at the same time as another run of itself:
- reminders are recorded as ``Reminder`` rows, unique per (request, kind, key), written in
  the same transaction as their notifications, so a reminder is sent once or not at all;
- state changes go through ``permissions.workflow``, which refuses what is not (or no
  longer) due, so a second run finds nothing left to do;
- a group's step, which escalation leaves with the group, is marked escalated on the step
  under the request's lock, in the transaction of its audit event and notifications.

Each job reads its candidates in keyset batches of ids and spends a fixed number of
queries per batch on selecting and bookkeeping; beyond that it pays only for what it
writes (the outbox rows of ``outbox.notify``, or one workflow transaction per request).
A request that fails is logged and skipped; the others go on.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from . import audit, outbox, workflow
from .authority import holders_by_step
from .errors import WorkflowError
from .models import (
    ApprovalStep,
    Delegation,
    Notification,
    PermissionRequest,
    Reminder,
)
from .models.notifications import NotificationKind
from .outbox import Notice, dedupe_key, email_opt_outs, notify, notify_batch
from .paging import BY_ID, batches
from .states import Status, StepStatus

logger = logging.getLogger(__name__)

BATCH_SIZE = 500

# Pakistan's weekend: Saturday and Sunday (datetime.weekday() numbers).
WEEKEND = frozenset({5, 6})

JobReport = dict[str, int]


def _id_batches(
    queryset: QuerySet[Any], fields: Sequence[str], size: int
) -> Iterator[list[tuple[Any, ...]]]:
    """The queryset's rows as tuples of (pk, *fields), in batches by ascending pk, so
    that rows leaving the queryset while the job runs (expired, escalated) shift nothing."""
    return batches(queryset.values_list("pk", *fields), sort=BY_ID, size=size, key=(0, 0))


def _one_by_one(
    job: str,
    items: dict[int, Any],
    send: Callable[[dict[int, Any]], tuple[int, int]],
    report: JobReport,
) -> None:
    """Send a batch in one transaction; if it fails, send its requests one at a time so
    that one bad request (or a concurrent run that got there first) holds up no other.
    `send` returns how many reminders it recorded and how many notifications it wrote."""

    def count(sent: tuple[int, int]) -> None:
        report["reminded"] += sent[0]
        report["notifications"] += sent[1]

    try:
        count(send(items))
        return
    except Exception:
        logger.warning("%s: batch failed, retrying its requests one by one", job, exc_info=True)
    for pk, item in items.items():
        try:
            count(send({pk: item}))
        except Exception:
            report["failed"] += 1
            logger.exception("%s: request %s failed", job, pk)


def _new_reminders(kind: str, keys: dict[int, str]) -> dict[int, str]:
    """Record the reminders (request id -> key) not yet sent, and return them.

    Call inside the transaction that writes their notifications. If another run records
    the same reminder meanwhile, the unique constraint fails this insert and the
    transaction (notifications included) rolls back, so nobody is reminded twice."""
    sent = set(
        Reminder.objects.filter(kind=kind, request_id__in=keys).values_list("request_id", "key")
    )
    new = {pk: key for pk, key in keys.items() if (pk, key) not in sent}
    Reminder.objects.bulk_create(
        [Reminder(request_id=pk, kind=kind, key=key) for pk, key in new.items()]
    )
    return new


# --- expiry reminders ------------------------------------------------------------------


def _expiry_offset_due(
    *,
    valid_until: datetime.date,
    decided_at: datetime.datetime | None,
    today: datetime.date,
    offsets: Sequence[int],
) -> int | None:
    """Which reminder (days before valid_until) is due today, if any.

    The due one is the smallest offset not below the days left, so a run that missed a
    day sends the missed reminder late, and never an earlier one after a later one. An
    approval decided on or after a reminder's day skips that reminder: the approval
    itself has just told the servant the date."""
    days_left = (valid_until - today).days
    offset = min((days for days in offsets if days >= days_left), default=None)
    if offset is None or days_left < 1:
        return None
    reminder_day = valid_until - datetime.timedelta(days=offset)
    if decided_at is not None and timezone.localdate(decided_at) >= reminder_day:
        return None
    return offset


def expiry_reminders(*, batch_size: int = BATCH_SIZE) -> JobReport:
    """Remind the servant and their reporting officer that an approval is about to end,
    settings.EXPIRY_REMINDER_DAYS days before its valid_until, once per approval and
    offset."""
    today = timezone.localdate()
    offsets = sorted(set(settings.EXPIRY_REMINDER_DAYS))
    report: JobReport = {"batches": 0, "reminded": 0, "notifications": 0, "failed": 0}
    if not offsets:
        return report
    candidates = PermissionRequest.objects.filter(
        status=Status.APPROVED,
        valid_until__gte=today + datetime.timedelta(days=1),
        valid_until__lte=today + datetime.timedelta(days=offsets[-1]),
    )

    def send(due: dict[int, int]) -> tuple[int, int]:
        with transaction.atomic():
            new = _new_reminders(
                NotificationKind.EXPIRY_REMINDER, {pk: str(offset) for pk, offset in due.items()}
            )
            requests = PermissionRequest.objects.filter(pk__in=new).select_related(
                "applicant", "applicant__reporting_officer"
            )
            recipients = {}
            for request in requests:
                applicant = request.applicant
                recipients[request] = [applicant]
                if applicant.reporting_officer is not None:
                    recipients[request].append(applicant.reporting_officer)
            opted_out = email_opt_outs(
                NotificationKind.EXPIRY_REMINDER,
                (person.pk for people in recipients.values() for person in people),
            )
            written = notify_batch(
                (
                    Notice(
                        recipients=people,
                        key=f"expiry_reminder:{request.pk}:{new[request.pk]}",
                        request=request,
                        context={"days_left": (request.valid_until - today).days},
                    )
                    for request, people in recipients.items()
                    # Excluded by the query; for the type checker.
                    if request.valid_until is not None
                ),
                kind=NotificationKind.EXPIRY_REMINDER,
                opted_out=opted_out,
            )
            return len(new), len(written)

    for rows in _id_batches(candidates, ("valid_until", "decided_at"), batch_size):
        report["batches"] += 1
        due = {}
        for pk, valid_until, decided_at in rows:
            offset = _expiry_offset_due(
                valid_until=valid_until, decided_at=decided_at, today=today, offsets=offsets
            )
            if offset is not None:
                due[pk] = offset
        if due:
            _one_by_one("expiry_reminders", due, send, report)
    logger.info("expiry_reminders: %s", report)
    return report


# --- expiry ----------------------------------------------------------------------------


def _through_workflow(
    job: str,
    queryset: QuerySet[Any],
    field: str,
    action: Callable[[int], object],
    batch_size: int,
) -> JobReport:
    """Apply a workflow action to the request id in `field` of every row of `queryset`.
    The workflow checks again, under a lock, that the action is still due."""
    report: JobReport = {"batches": 0, "done": 0, "refused": 0, "failed": 0}
    for rows in _id_batches(queryset, (field,), batch_size):
        report["batches"] += 1
        # Each action is its own transaction, as any person's is: it holds the request's
        # lock and the audit chain's only for itself. Their mail goes to the workers
        # together, after the batch.
        with outbox.enqueued_together():
            for _pk, request_id in rows:
                try:
                    action(request_id)
                except WorkflowError as error:
                    report["refused"] += 1
                    logger.warning("%s: request %s refused: %s", job, request_id, error.message)
                except Exception:
                    report["failed"] += 1
                    logger.exception("%s: request %s failed", job, request_id)
                else:
                    report["done"] += 1
    logger.info("%s: %s", job, report)
    return report


def expire_approvals(*, batch_size: int = BATCH_SIZE) -> JobReport:
    """Expire every approval whose last valid day (valid_until) has passed."""
    candidates = PermissionRequest.objects.filter(
        status=Status.APPROVED, valid_until__lt=timezone.localdate()
    )
    return _through_workflow(
        "expire_approvals", candidates, "pk", lambda pk: workflow.expire(pk), batch_size
    )


# --- steps waiting too long --------------------------------------------------------------


def working_time_before(moment: datetime.datetime, working_days: int) -> datetime.datetime:
    """The instant `working_days` days of working time before `moment`.

    Only Monday to Friday count: a step that started on Friday at 15:00 has waited
    three working days on Wednesday at 15:00, and one that arrived at the weekend starts
    waiting on Monday at midnight. Public holidays are not known to the portal."""
    zone = timezone.get_current_timezone()
    remaining = datetime.timedelta(days=working_days)
    end = timezone.localtime(moment, zone)
    day = end.date()
    while True:
        start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
        if day.weekday() not in WEEKEND:
            if end - start >= remaining:
                return end - remaining
            remaining -= end - start
        day -= datetime.timedelta(days=1)
        end = start


def pending_reminders(*, batch_size: int = BATCH_SIZE) -> JobReport:
    """Remind whoever may decide a step that has waited longer than
    settings.PENDING_REMINDER_WORKING_DAYS working days; at most once a day per request."""
    now = timezone.now()
    today = timezone.localdate(now).isoformat()
    cutoff = working_time_before(now, settings.PENDING_REMINDER_WORKING_DAYS)
    candidates = ApprovalStep.objects.filter(
        status=StepStatus.PENDING, started_at__lt=cutoff, request__status=Status.PENDING
    )
    report: JobReport = {"batches": 0, "reminded": 0, "notifications": 0, "failed": 0}

    def send(waiting: dict[int, int]) -> tuple[int, int]:
        with transaction.atomic():
            new = _new_reminders(NotificationKind.PENDING_REMINDER, dict.fromkeys(waiting, today))
            steps = list(
                ApprovalStep.objects.filter(pk__in=[waiting[pk] for pk in new])
                .select_related("request", "assignee")
                .order_by("pk")
            )
            holders = holders_by_step(steps)
            opted_out = email_opt_outs(
                NotificationKind.PENDING_REMINDER,
                (person.pk for people in holders.values() for person in people),
            )
            written = notify_batch(
                (
                    Notice(
                        recipients=holders[step.pk],
                        key=f"pending_reminder:{step.request_id}:{today}",
                        request=step.request,
                        context={"waiting_since": step.started_at},
                    )
                    for step in steps
                ),
                kind=NotificationKind.PENDING_REMINDER,
                opted_out=opted_out,
            )
            return len(new), len(written)

    for rows in _id_batches(candidates, ("request_id",), batch_size):
        report["batches"] += 1
        _one_by_one(
            "pending_reminders",
            {request_id: step_id for step_id, request_id in rows},
            send,
            report,
        )
    logger.info("pending_reminders: %s", report)
    return report


def escalate_overdue(*, batch_size: int = BATCH_SIZE) -> JobReport:
    """Escalate every step that has waited settings.ESCALATE_AFTER_DAYS days.

    An officer's step passes to that officer's own reporting officer (workflow.escalate),
    and on again if it waits as long there. A group's step is escalated once, and stays
    with the group (workflow.escalate_group_step)."""
    due = timezone.now() - datetime.timedelta(days=settings.ESCALATE_AFTER_DAYS)
    overdue = ApprovalStep.objects.filter(
        status=StepStatus.PENDING, started_at__lte=due, request__status=Status.PENDING
    )
    officers = _through_workflow(
        "escalate_overdue",
        overdue.filter(assignee__isnull=False),
        "request_id",
        lambda request_id: workflow.escalate(request_id),
        batch_size,
    )
    groups = _through_workflow(
        "escalate_overdue (group steps)",
        overdue.filter(group__isnull=False, escalations=0),
        "request_id",
        workflow.escalate_group_step,
        batch_size,
    )
    return {key: officers[key] + groups[key] for key in officers}


# --- delegations ------------------------------------------------------------------------

# How far back a run looks for delegations that ran out, so that a few missed days of
# runs still announce them; the outbox's dedupe key keeps it to once.
DELEGATION_LOOKBACK_DAYS = 7


def delegation_endings(*, batch_size: int = BATCH_SIZE) -> JobReport:
    """Tell both officers when a delegation reaches its last day and ends by itself
    (one ended early was announced by whoever ended it)."""
    today = timezone.localdate()
    candidates = Delegation.objects.ended_by_themselves(
        since=today - datetime.timedelta(days=DELEGATION_LOOKBACK_DAYS), before=today
    )
    report: JobReport = {"batches": 0, "reminded": 0, "notifications": 0, "failed": 0}

    def key(pk: int) -> str:
        return f"delegation_ended:{pk}"

    def send(due: dict[int, None]) -> tuple[int, int]:
        with transaction.atomic():
            delegations = list(
                Delegation.objects.filter(pk__in=due).select_related("delegator", "delegate")
            )
            people = {p.pk for d in delegations for p in (d.delegator, d.delegate)}
            opted_out = email_opt_outs(NotificationKind.DELEGATION_ENDED, people)
            written = 0
            for delegation in delegations:
                written += len(
                    notify(
                        recipients=[delegation.delegator, delegation.delegate],
                        kind=NotificationKind.DELEGATION_ENDED,
                        key=key(delegation.pk),
                        context={"delegation": delegation},
                        opted_out=opted_out,
                    )
                )
            return len(delegations), written

    for rows in _id_batches(candidates, ("delegator_id",), batch_size):
        report["batches"] += 1
        # Those announced by an earlier run (both officers' rows are written together, so
        # the delegator's stands for the pair): one query for the batch, not one failing
        # insert each.
        delegator_rows = {dedupe_key(key(pk), delegator): pk for pk, delegator in rows}
        announced = {
            delegator_rows[written]
            for written in Notification.objects.filter(
                kind=NotificationKind.DELEGATION_ENDED, dedupe_key__in=delegator_rows
            ).values_list("dedupe_key", flat=True)
        }
        due = {pk: None for pk in delegator_rows.values() if pk not in announced}
        if due:
            _one_by_one("delegation_endings", due, send, report)
    logger.info("delegation_endings: %s", report)
    return report


# --- audit -----------------------------------------------------------------------------


def record_audit_head() -> JobReport:
    """Record the audit chain's head (newest event, its hash, the count of events), so
    that `verify_audit --since-head` notices if the newest events are ever cut off."""
    recorded = audit.record_head()
    report: JobReport = {"events": recorded.count, "newest_id": recorded.event_id or 0}
    logger.info("record_audit_head: %s", report)
    return report


def verify_audit() -> JobReport:
    """Verify the whole audit chain and the recorded heads, and sweep every request's
    row and every file against what the chain recorded (each mismatch is raised to the
    auditors as it is found); the auditor console shows the result."""
    run = audit.run_verification(since_head=True, content=True)
    report: JobReport = {
        "checked": run.checked,
        "heads_checked": run.heads_checked,
        "broken": 0 if run.ok else 1,
        "requests_checked": run.requests_checked,
        "files_checked": run.files_checked,
        "mismatches": run.mismatches_found,
    }
    if run.mismatches_found:
        logger.error("verify_audit: records do not match the audit chain: %s", report)
    else:
        logger.info("verify_audit: %s", report)
    return report


JOBS: dict[str, Callable[[], JobReport]] = {
    "expiry_reminders": expiry_reminders,
    "expire_approvals": expire_approvals,
    "pending_reminders": pending_reminders,
    "escalate_overdue": escalate_overdue,
    "delegation_endings": delegation_endings,
    "record_audit_head": record_audit_head,
    "verify_audit": verify_audit,
}


def run(name: str) -> JobReport:
    """Run the job called `name` (a key of JOBS)."""
    return JOBS[name]()
