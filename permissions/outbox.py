"""The notification outbox.

A notification is first a row, written in the same transaction as the change that
causes it; after commit a Celery task sends it and marks it sent (a job's batch: a task
per chunk of its rows). If the broker is down at that moment the row simply waits: the
periodic sweep enqueues every row whose time has come, and rows whose sending lease ran
out (a worker died mid-send). A claim is a conditional UPDATE, so two workers never send
the same row at once.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import smtplib
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import IntegrityError, connections, models, router, transaction
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


@dataclass(frozen=True)
class Notice:
    """One cause's notification to some people, for notify_batch."""

    recipients: list[User]
    key: str
    request: PermissionRequest | None = None
    context: dict[str, object] = field(default_factory=dict)
    # Where the notification leads in the portal: the request's page unless given.
    link: str | None = None


def _link(notice: Notice) -> str:
    if notice.link is not None:
        return notice.link
    return reverse("request-detail", args=[notice.request.pk]) if notice.request else ""


def _rows(
    people: list[tuple[User, Notice]], *, kind: str, opted_out: Collection[int]
) -> list[Notification]:
    """The notifications to these people, each for its cause, rendered, not yet saved."""
    links: dict[int, str] = {}
    for _person, notice in people:
        if id(notice) not in links:
            links[id(notice)] = _link(notice)
    # Each in the recipient's language: rendered a language at a time, kept in order.
    by_language: dict[str, list[int]] = {}
    for index, (recipient, _notice) in enumerate(people):
        by_language.setdefault(emails.language_of(recipient), []).append(index)
    mail_at: dict[int, emails.Rendered] = {}
    for language, indexes in by_language.items():
        mails = emails.render_many(
            kind,
            [
                {
                    **people[index][1].context,
                    "recipient": people[index][0],
                    "permission_request": people[index][1].request,
                    "link": (
                        f"{settings.PORTAL_URL}{links[id(people[index][1])]}"
                        if links[id(people[index][1])]
                        else settings.PORTAL_URL
                    ),
                }
                for index in indexes
            ],
            language=language,
        )
        mail_at.update(zip(indexes, mails, strict=True))
    rendered = [mail_at[index] for index in range(len(people))]
    return [
        Notification(
            recipient=recipient,
            kind=kind,
            request=notice.request,
            dedupe_key=dedupe_key(notice.key, recipient.pk),
            subject=mail.subject,
            body_text=mail.text,
            body_html=mail.html,
            link=links[id(notice)],
            status=(
                DeliveryStatus.PENDING
                if recipient.email and recipient.is_active and recipient.pk not in opted_out
                else DeliveryStatus.PORTAL_ONLY
            ),
        )
        for (recipient, notice), mail in zip(people, rendered, strict=True)
    ]


class _Together:
    """The notifications committed inside one enqueued_together block."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.open = True

    def add(self, notification_id: int) -> None:
        # A transaction that commits after the block ended (it began outside it) sends
        # its own.
        if self.open:
            self.ids.append(notification_id)
        else:
            enqueue(notification_id)


_together: ContextVar[_Together | None] = ContextVar("outbox_together", default=None)


@contextmanager
def enqueued_together() -> Iterator[None]:
    """Enqueue the notifications that commit inside the block at its end, a task per
    DELIVERY_CHUNK, instead of a task each as each commits: for a job that applies a
    workflow action (a transaction of its own) to each of a batch of requests. They are
    committed pending, so if the block never ends the sweep sends them."""
    together = _Together()
    token = _together.set(together)
    try:
        yield
    finally:
        _together.reset(token)
        together.open = False
        enqueue_many(together.ids)


def _enqueue_after_commit(notification: Notification) -> None:
    if notification.status == DeliveryStatus.PENDING:
        together = _together.get()
        transaction.on_commit(
            partial(together.add if together is not None else enqueue, notification.pk)
        )


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
    link: str | None = None,
) -> list[Notification]:
    """Write one notification per recipient; a key already written is skipped.

    `key` names the cause (an audit event, a reminder); with the recipient it makes the
    dedupe key, so the same cause never notifies the same person twice. A job notifying
    many people passes `opted_out` (from email_opt_outs) for all of them at once.
    """
    people = list({recipient.pk: recipient for recipient in recipients}.values())
    if opted_out is None:
        opted_out = email_opt_outs(kind, (person.pk for person in people))
    notice = Notice(recipients=people, key=key, request=request, context=context or {}, link=link)
    rows = _rows([(person, notice) for person in people], kind=kind, opted_out=opted_out)
    return [notification for notification in rows if _write(notification)]


def notify_batch(
    notices: Iterable[Notice], *, kind: str, opted_out: Collection[int]
) -> list[Notification]:
    """`notify` for a job's batch of causes of one kind, written in one INSERT instead of
    a savepoint and an INSERT per person.

    For callers whose causes are new by construction (the reminder jobs record each
    reminder in the same transaction, under its own unique constraint): a key already
    written is not skipped but fails the whole INSERT, and with it the caller's
    transaction, so that the caller can fall back to one cause at a time."""
    rows = _rows(
        [
            (recipient, notice)
            for notice in notices
            for recipient in {person.pk: person for person in notice.recipients}.values()
        ],
        kind=kind,
        opted_out=opted_out,
    )
    _write_batch(rows)
    # One task per chunk of the batch's mails instead of one per mail: a job's batch is
    # hundreds of mails, and the enqueue costs as much as writing the row.
    pending = [row.pk for row in rows if row.status == DeliveryStatus.PENDING]
    if pending:
        transaction.on_commit(partial(enqueue_many, pending))
    return rows


def _write_batch(rows: list[Notification]) -> None:
    """Insert a job's rendered notifications, setting their pks.

    On PostgreSQL by COPY, with ids taken from the table's sequence first: a batch of a
    thousand rows of rendered mail costs a tenth of an INSERT's time in this process and
    in the database's. Elsewhere, or should the table gain a column whose values need
    preparing, by bulk_create. The COPY passes through the connection's execute
    wrappers, so whatever counts or logs statements sees it."""
    if not rows:
        return
    connection = connections[router.db_for_write(Notification)]
    connection.ensure_connection()
    fields = Notification._meta.concrete_fields
    if (
        connection.vendor != "postgresql"
        or not hasattr(connection.connection, "pgconn")  # psycopg 3, which has copy()
        or not all(type(field) in _COPIED_AS_THEY_ARE for field in fields)
    ):
        Notification.objects.bulk_create(rows)
        return
    table = Notification._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [quote(table), Notification._meta.pk.column, len(rows)],
        )
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = pk
        attnames = [field.attname for field in fields]

        def copy(statement: str, *_args: object) -> None:
            with cursor.cursor.copy(statement) as rows_in:
                for row in rows:
                    rows_in.write_row([getattr(row, attname) for attname in attnames])

        run: Callable[..., object] = copy
        for wrapper in reversed(connection.execute_wrappers):
            run = partial(wrapper, run)
        columns = ", ".join(quote(field.column) for field in fields)
        with connection.wrap_database_errors:
            run(
                f"COPY {quote(table)} ({columns}) FROM STDIN",
                None,
                False,
                {"connection": connection, "cursor": cursor},
            )
    for row in rows:
        row._state.adding = False
        row._state.db = connection.alias


# The fields whose values _write_batch copies as they are: text, numbers, moments.
_COPIED_AS_THEY_ARE = frozenset(
    {
        models.BigAutoField,
        models.CharField,
        models.EmailField,
        models.TextField,
        models.PositiveSmallIntegerField,
        models.DateTimeField,
        models.ForeignKey,
    }
)


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
    unique = list(dict.fromkeys(address.strip() for address in addresses if address.strip()))
    rendered = emails.render_many(
        kind,
        [
            {
                **(context or {}),
                "address": address,
                "permission_request": None,
                "link": settings.PORTAL_URL,
            }
            for address in unique
        ],
    )
    written = []
    for address, mail in zip(unique, rendered, strict=True):
        notification = Notification(
            address=address,
            kind=kind,
            dedupe_key=address_dedupe_key(key, address),
            subject=mail.subject,
            body_text=mail.text,
            body_html=mail.html,
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


# Notifications per task of enqueue_many: few enough that a worker sends a chunk well
# within the task time limit, and that a batch spreads over all the workers.
DELIVERY_CHUNK = 50


def enqueue_many(notification_ids: Sequence[int]) -> None:
    """`enqueue` for many committed notifications, a task per DELIVERY_CHUNK of them."""
    from .tasks import deliver_notifications

    for start in range(0, len(notification_ids), DELIVERY_CHUNK):
        chunk = list(notification_ids[start : start + DELIVERY_CHUNK])
        try:
            deliver_notifications.delay(chunk)
        except Exception:  # as in enqueue
            logger.warning(
                "%s notifications left for the sweep: broker unavailable",
                len(notification_ids) - start,
            )
            return


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


def deliver_many(notification_ids: Iterable[int]) -> dict[str, int]:
    """`deliver` each of these notifications in turn; how many had each outcome.

    A mail server that fails one mail is likely to fail, or hang on, the next: the
    chunk stops at the first transient failure, and the sweep enqueues its rest (still
    due) and the failed row (at its next_attempt_at) again."""
    outcomes: dict[str, int] = {}
    for notification_id in notification_ids:
        try:
            outcome = deliver(notification_id)
        except TransientDeliveryError:
            outcomes["left for the sweep"] = outcomes.get("left for the sweep", 0) + 1
            break
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


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
    enqueue_many(due)
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
