"""A job's batch of notifications: rendered as every mail is rendered alone, written in
one INSERT, and handed to the workers a task per chunk, with the same guarantees as one
notification: sent once, opt-outs kept, nothing lost while the broker is down."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation
from kombu.exceptions import OperationalError

from permissions import emails, outbox
from permissions.models import Delegation, EmailPreference, Notification, PermissionRequest, User
from permissions.models.notifications import DeliveryStatus
from permissions.tasks import deliver_notification, deliver_notifications
from tests.factories import UserFactory, submitted_request

from .conftest import DisconnectedBackend, mails_to

pytestmark = pytest.mark.django_db

KINDS = sorted(
    path.name.removesuffix("-subject.txt")
    for path in (Path(settings.BASE_DIR) / "templates" / "emails").glob("*-subject.txt")
)


def rendered_alone(name: str, context: dict[str, Any]) -> emails.Rendered:
    """A mail rendered as Django renders each of its templates, whole, on its own."""

    def plain(template: str, values: dict[str, Any]) -> str:
        return str(get_template(template).template.render(Context(values, autoescape=False)))  # type: ignore[attr-defined]

    with translation.override(settings.LANGUAGE_CODE):
        values = {"portal_url": settings.PORTAL_URL, **context}
        subject = " ".join(plain(f"emails/{name}-subject.txt", values).split())
        text = plain(f"emails/{name}-body.txt", values).strip() + "\n"
        html = render_to_string(
            f"emails/{name}-body.html", {**values, "subject": subject, "body_text": text}
        )
    return emails.Rendered(subject=subject[:250], text=text, html=html)


@pytest.fixture
def requests(servant: User) -> list[PermissionRequest]:
    return [
        submitted_request(servant, topic=topic)
        for topic in ('Tax "reform" & you', "Digital services <for> citizens")
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_a_batch_renders_every_mail_exactly_as_it_renders_alone(
    kind: str,
    requests: list[PermissionRequest],
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
) -> None:
    """The pieces a batch shares (a request's paragraph, a person's greeting, the
    layout) must never carry one mail's words into another."""
    people = [servant, reporting_officer, UserFactory(first_name="Siobhan", last_name="O'Brien")]
    delegation = Delegation.objects.create(
        delegator=reporting_officer,
        delegate=countersigning_officer,
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 3, 14),
    )
    contexts = [
        {
            "recipient": person,
            "permission_request": request,
            "link": f"{settings.PORTAL_URL}/requests/{request.pk}/",
            "days_left": 1 + n % 2,
            "waiting_since": request.submitted_at,
            "previous_officer": reporting_officer,
            "new_officer": person,
            "delegation": delegation,
            "address": f"{person.username}@example.test",
        }
        for request in requests
        for n, person in enumerate(people)
    ]

    batch = emails.render_many(kind, contexts)

    assert batch == [rendered_alone(kind, context) for context in contexts]


def test_a_batch_is_one_task_per_chunk_after_commit_and_every_mail_goes_once(
    requests: list[PermissionRequest],
    servant: User,
    reporting_officer: User,
    outsider: User,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(outbox, "DELIVERY_CHUNK", 3)
    EmailPreference.objects.create(user=outsider, kind="pending_reminder")
    Notification.objects.all().delete()
    mail.outbox.clear()
    notices = [
        outbox.Notice(
            recipients=[servant, reporting_officer, outsider, servant],
            key=f"batch:{request.pk}",
            request=request,
            context={"waiting_since": request.submitted_at},
        )
        for request in requests
    ]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        written = outbox.notify_batch(
            notices,
            kind="pending_reminder",
            opted_out=outbox.email_opt_outs("pending_reminder", [outsider.pk]),
        )
    assert len(written) == 6
    assert mail.outbox == []
    assert len(callbacks) == 1

    sent: list[list[int]] = []
    real_delay = deliver_notifications.delay
    monkeypatch.setattr(
        deliver_notifications, "delay", lambda ids: sent.append(ids) or real_delay(ids)
    )
    callbacks[0]()

    to_mail = [row.pk for row in written if row.recipient_id != outsider.pk]
    assert sent == [to_mail[:3], to_mail[3:]]
    assert {row.status for row in Notification.objects.filter(pk__in=to_mail)} == {
        DeliveryStatus.SENT
    }
    assert (
        Notification.objects.get(
            recipient=outsider, dedupe_key__startswith=f"batch:{requests[0].pk}:"
        ).status
        == DeliveryStatus.PORTAL_ONLY
    )
    assert len(mails_to(servant)) == len(mails_to(reporting_officer)) == 2
    assert mails_to(outsider) == []
    assert outbox.sweep() == 0


def test_a_batch_written_while_the_broker_is_down_is_sent_by_the_sweep(
    requests: list[PermissionRequest],
    servant: User,
    reporting_officer: User,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Notification.objects.all().delete()
    mail.outbox.clear()

    def broker_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(deliver_notifications, "delay", broker_down)
        patch.setattr(deliver_notification, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            written = outbox.notify_batch(
                [
                    outbox.Notice(
                        recipients=[servant, reporting_officer],
                        key=f"outage:{request.pk}",
                        request=request,
                        context={"days_left": 7},
                    )
                    for request in requests
                ],
                kind="expiry_reminder",
                opted_out=set(),
            )

    assert {row.status for row in Notification.objects.filter(pk__in=[r.pk for r in written])} == {
        DeliveryStatus.PENDING
    }
    assert mail.outbox == []

    assert outbox.sweep() == 4
    assert outbox.sweep() == 0
    assert len(mails_to(servant)) == len(mails_to(reporting_officer)) == 2


def test_a_chunk_stops_at_a_failing_mail_server_and_leaves_the_rest_to_the_sweep(
    requests: list[PermissionRequest],
    servant: User,
    reporting_officer: User,
    smtp_down: type[DisconnectedBackend],
) -> None:
    Notification.objects.all().delete()
    written = outbox.notify_batch(
        [
            outbox.Notice(
                recipients=[servant, reporting_officer],
                key=f"smtp:{request.pk}",
                request=request,
                context={"days_left": 7},
            )
            for request in requests
        ],
        kind="expiry_reminder",
        opted_out=set(),
    )

    outcomes = outbox.deliver_many([row.pk for row in written])

    assert outcomes == {"left for the sweep": 1}
    assert smtp_down.attempts == 1
    rows = {row.pk: row for row in Notification.objects.filter(pk__in=[r.pk for r in written])}
    first, *rest = (rows[row.pk] for row in written)
    assert (first.status, first.attempts) == (DeliveryStatus.PENDING, 1)
    assert first.next_attempt_at > first.created_at
    assert [(row.status, row.attempts) for row in rest] == [(DeliveryStatus.PENDING, 0)] * 3
    # The untried rows are still due: the next sweep enqueues them.
    assert outbox.sweep() == 3


def test_a_chunk_run_twice_sends_nothing_twice(
    requests: list[PermissionRequest], servant: User, reporting_officer: User
) -> None:
    Notification.objects.all().delete()
    mail.outbox.clear()
    written = outbox.notify_batch(
        [
            outbox.Notice(
                recipients=[servant, reporting_officer],
                key=f"twice:{request.pk}",
                request=request,
                context={"days_left": 7},
            )
            for request in requests
        ],
        kind="expiry_reminder",
        opted_out=set(),
    )
    ids = [row.pk for row in written]

    assert outbox.deliver_many(ids) == {"sent": 4}
    assert outbox.deliver_many(ids) == {"not due": 4}
    assert len(mail.outbox) == 4


def test_notifications_committed_inside_enqueued_together_go_in_one_task(
    requests: list[PermissionRequest],
    servant: User,
    reporting_officer: User,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Notification.objects.all().delete()
    mail.outbox.clear()
    sent: list[list[int]] = []
    real_delay = deliver_notifications.delay
    monkeypatch.setattr(
        deliver_notifications, "delay", lambda ids: sent.append(ids) or real_delay(ids)
    )
    single: list[int] = []
    monkeypatch.setattr(deliver_notification, "delay", single.append)

    written = []
    with outbox.enqueued_together():
        for request in requests:
            # Each as a job's workflow action: a transaction of its own, committed
            # before the next begins.
            with django_capture_on_commit_callbacks(execute=True):
                written += outbox.notify(
                    recipients=[servant, reporting_officer],
                    kind="withdrawn",
                    key=f"together:{request.pk}",
                    request=request,
                )
        assert sent == []

    assert sent == [[row.pk for row in written]]
    assert single == []
    assert len(mails_to(servant)) == len(mails_to(reporting_officer)) == 2

    # Outside the block, one notification is one task again.
    with django_capture_on_commit_callbacks(execute=True):
        [alone] = outbox.notify(
            recipients=[servant], kind="withdrawn", key="alone", request=requests[0]
        )
    assert single == [alone.pk]


def test_a_batch_with_a_cause_written_already_fails_whole_and_writes_nothing(
    requests: list[PermissionRequest], servant: User, reporting_officer: User
) -> None:
    """notify_batch's callers fall back to one cause at a time on this failure."""
    [request, other] = requests
    outbox.notify(
        recipients=[servant],
        kind="expiry_reminder",
        key="twice",
        request=request,
        context={"days_left": 7},
    )
    notices = [
        outbox.Notice(
            recipients=[reporting_officer], key="fresh", request=other, context={"days_left": 7}
        ),
        outbox.Notice(
            recipients=[reporting_officer, servant],
            key="twice",
            request=request,
            context={"days_left": 7},
        ),
    ]

    with pytest.raises(IntegrityError), transaction.atomic():
        outbox.notify_batch(notices, kind="expiry_reminder", opted_out=set())

    assert list(
        Notification.objects.filter(kind="expiry_reminder").values_list("dedupe_key", flat=True)
    ) == [outbox.dedupe_key("twice", servant.pk)]
