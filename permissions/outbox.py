"""The notification outbox.

A notification is first a row, written in the same transaction as the change that
causes it; after commit a Celery task sends it and marks it sent. If the broker is down
at that moment the row simply waits: the periodic sweep enqueues every row whose time
has come, and rows whose sending lease ran out (a worker died mid-send). A claim is a
conditional UPDATE, so two workers never send the same row at once.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import smtplib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from . import emails
from .models import EmailPreference, Notification, PermissionRequest, User
from .models.notifications import ALWAYS_EMAILED, DeliveryStatus

logger = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=5)


class TransientDeliveryError(Exception):
    """The mail server or network failed; the notification will be tried again at
    `retry_at` (the row's next_attempt_at)."""

    def __init__(self, message: str, *, retry_at: datetime.datetime):
        super().__init__(message)
        self.retry_at = retry_at


def dedupe_key(key: str, recipient_id: int) -> str:
    """A notification's unique key: its cause and its recipient."""
    return f"{key}:to{recipient_id}"[:200]


def email_opt_outs(kind: str, user_ids: Iterable[int]) -> set[int]:
    """Which of these people turned off e-mail for `kind` (one query; none for the kinds
    that are always e-mailed)."""
    ids = set(user_ids)
    if kind in ALWAYS_EMAILED or not ids:
        return set()
    return set(
        EmailPreference.objects.filter(user_id__in=ids, kind=kind).values_list("user_id", flat=True)
    )


def _row(
    recipient: User,
    *,
    kind: str,
    key: str,
    request: PermissionRequest | None,
    context: dict[str, object] | None,
    opted_out: Collection[int],
) -> Notification:
    """The notification to one person, rendered, not yet saved."""
    link = reverse("request-detail", args=[request.pk]) if request is not None else ""
    rendered = emails.render(
        kind,
        {
            **(context or {}),
            "recipient": recipient,
            "permission_request": request,
            "link": f"{settings.PORTAL_URL}{link}" if link else settings.PORTAL_URL,
        },
    )
    return Notification(
        recipient=recipient,
        kind=kind,
        request=request,
        dedupe_key=dedupe_key(key, recipient.pk),
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        link=link,
        status=(
            DeliveryStatus.PENDING
            if recipient.email and recipient.is_active and recipient.pk not in opted_out
            else DeliveryStatus.PORTAL_ONLY
        ),
    )


def _enqueue_after_commit(notification: Notification) -> None:
    if notification.status == DeliveryStatus.PENDING:
        transaction.on_commit(partial(enqueue, notification.pk))


def _write(notification: Notification) -> bool:
    """Save the notification in a savepoint of its own and send it after commit; False
    if its cause was written already for its recipient (at most once each)."""
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        return False
    _enqueue_after_commit(notification)
    return True


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    key: str,
    request: PermissionRequest | None = None,
    context: dict[str, object] | None = None,
    opted_out: Collection[int] | None = None,
) -> list[Notification]:
    """Write one notification per recipient; a key already written is skipped.

    `key` names the cause (an audit event, a reminder); with the recipient it makes the
    dedupe key, so the same cause never notifies the same person twice. A job notifying
    many people passes `opted_out` (from email_opt_outs) for all of them at once.
    """
    people = list({recipient.pk: recipient for recipient in recipients}.values())
    if opted_out is None:
        opted_out = email_opt_outs(kind, (person.pk for person in people))
    written = []
    for recipient in people:
        notification = _row(
            recipient, kind=kind, key=key, request=request, context=context, opted_out=opted_out
        )
        if _write(notification):
            written.append(notification)
    return written


@dataclass(frozen=True)
class Notice:
    """One cause's notification to some people, for notify_batch."""

    recipients: list[User]
    key: str
    request: PermissionRequest | None = None
    context: dict[str, object] = field(default_factory=dict)


def notify_batch(
    notices: Iterable[Notice], *, kind: str, opted_out: Collection[int]
) -> list[Notification]:
    """`notify` for a job's batch of causes of one kind, written in one INSERT instead of
    a savepoint and an INSERT per person.

    For callers whose causes are new by construction (the reminder jobs record each
    reminder in the same transaction, under its own unique constraint): a key already
    written is not skipped but fails the whole INSERT, and with it the caller's
    transaction, so that the caller can fall back to one cause at a time."""
    rows = []
    for notice in notices:
        people = {recipient.pk: recipient for recipient in notice.recipients}.values()
        rows += [
            _row(
                recipient,
                kind=kind,
                key=notice.key,
                request=notice.request,
                context=notice.context,
                opted_out=opted_out,
            )
            for recipient in people
        ]
    Notification.objects.bulk_create(rows)
    for notification in rows:
        _enqueue_after_commit(notification)
    return rows


def address_dedupe_key(key: str, address: str) -> str:
    """The unique key of a notification to an address: its cause and the address, or the
    address's digest where the address is too long to fit (they run to 254 characters)."""
    readable = f"{key}:to:{address}"
    if len(readable) <= 200:
        return readable
    return f"{key}:to:{hashlib.sha256(address.encode()).hexdigest()}"[:200]


def notify_addresses(
    *, addresses: Iterable[str], kind: str, key: str, context: dict[str, object] | None = None
) -> list[Notification]:
    """Write one notification per e-mail address outside the portal (the audit trail's
    daily head, to the Establishment Division); a key already written is skipped.

    There is no person behind an address: no opt-out, no portal inbox, no `recipient`
    for the templates (they get `address`)."""
    written = []
    for address in dict.fromkeys(address.strip() for address in addresses if address.strip()):
        rendered = emails.render(
            kind,
            {
                **(context or {}),
                "address": address,
                "permission_request": None,
                "link": settings.PORTAL_URL,
            },
        )
        notification = Notification(
            address=address,
            kind=kind,
            dedupe_key=address_dedupe_key(key, address),
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
        )
        if _write(notification):
            written.append(notification)
    return written


def enqueue(notification_id: int) -> None:
    """Hand a committed notification to a worker. A broker failure must never turn a
    committed decision into an error page: the sweep will pick the row up later."""
    from .tasks import deliver_notification

    try:
        deliver_notification.delay(notification_id)
    except Exception:  # kombu/redis raise several unrelated types when the broker is down
        logger.warning("Notification %s left for the sweep: broker unavailable", notification_id)


def _claim(notification_id: int, now: datetime.datetime) -> bool:
    return bool(
        Notification.objects.filter(pk=notification_id)
        .filter(
            Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.SENDING, lease_until__lt=now)
        )
        .update(
            status=DeliveryStatus.SENDING,
            lease_until=now + LEASE,
            attempts=F("attempts") + 1,
        )
    )


def backoff(attempts: int) -> datetime.timedelta:
    base: int = settings.NOTIFICATION_RETRY_BASE_SECONDS
    return datetime.timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def deliver(notification_id: int) -> str:
    """Send one notification if it is due and nobody else holds it. Returns what happened."""
    now = timezone.now()
    if not _claim(notification_id, now):
        return "not due"
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    message = emails.make_message(
        to=notification.recipient.email if notification.recipient else notification.address,
        subject=notification.subject,
        text=notification.body_text,
        html=notification.body_html,
        dedupe_key=notification.dedupe_key,
    )
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as error:
        failed = notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        retry_at = timezone.now() + backoff(notification.attempts)
        Notification.objects.filter(pk=notification_id, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.FAILED if failed else DeliveryStatus.PENDING,
            next_attempt_at=retry_at,
            lease_until=None,
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        if failed:
            logger.error("Notification %s failed for good: %s", notification_id, error)
            return "failed"
        raise TransientDeliveryError(str(error), retry_at=retry_at) from error
    Notification.objects.filter(pk=notification_id, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), lease_until=None, last_error=""
    )
    return "sent"


def sweep(*, limit: int = 500) -> int:
    """Enqueue what is due: pending rows whose time has come, and expired leases."""
    now = timezone.now()
    due = list(
        Notification.objects.filter(
            Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.SENDING, lease_until__lt=now)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        enqueue(pk)
    return len(due)


def retry_failed(notification_ids: Iterable[int]) -> int:
    """Give failed notifications a fresh set of attempts (an admin action)."""
    ids = list(notification_ids)
    count = Notification.objects.filter(pk__in=ids, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    for pk in ids:
        transaction.on_commit(partial(enqueue, pk))
    return count
