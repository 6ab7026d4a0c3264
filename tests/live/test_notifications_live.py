"""Notifications on the real stack: a `celery worker` process takes them from Redis,
reads the outbox in PostgreSQL and hands them to an SMTP server listening on loopback.
The server can refuse (451) or hold a message in DATA, to play an outage or a worker
that dies mid-send."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from kombu.exceptions import OperationalError

from permissions import emails, outbox, workflow
from permissions.models import Notification, PermissionRequest, User
from permissions.models.notifications import DeliveryStatus
from permissions.states import Status
from permissions.tasks import deliver_notification
from tests.factories import draft_request

from .conftest import MailServer, Workers, holds_for, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("reference_data"),
]


def row(kind: str, recipient: User) -> Notification:
    return Notification.objects.get(kind=kind, recipient=recipient)


def submitted(servant: User, server: MailServer, workers: Workers) -> PermissionRequest:
    """A request submitted, its 'submitted' and 'receipt' mails already at the server."""
    draft = draft_request(servant)
    request = workflow.submit(draft.pk, by=servant, declaration=True)
    wait_for(lambda: server.count() == 2, "the submission's two mails", workers.logs)
    return request


def approved_mails(server: MailServer, servant: User, request: PermissionRequest) -> list[Any]:
    return [m for m in server.to(servant) if m["Subject"] == f"{request.reference} is approved"]


def test_an_approval_reaches_the_applicant_as_one_mail(
    mail_server: tuple[MailServer, int],
    workers: Workers,
    servant: User,
    reporting_officer: User,
) -> None:
    server, _port = mail_server
    workers.start()
    request = submitted(servant, server, workers)

    workflow.approve(request.pk, by=reporting_officer)

    wait_for(lambda: server.count() == 3, "the approval mail", workers.logs)
    notification = row("approved", servant)
    wait_for(
        lambda: Notification.objects.get(pk=notification.pk).status == DeliveryStatus.SENT,
        "the row marked sent",
        workers.logs,
    )
    [message] = approved_mails(server, servant, request)
    assert message["Message-ID"] == emails.message_id(notification.dedupe_key)
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    link = f"{settings.PORTAL_URL}/requests/{request.pk}/"
    assert request.reference in text.get_content() and link in text.get_content()
    assert f'href="{link}"' in html.get_content()
    holds_for(3, lambda: server.count() == 3, server.summary())


def test_a_broker_outage_delays_the_mail_until_the_sweep(
    mail_server: tuple[MailServer, int],
    workers: Workers,
    servant: User,
    reporting_officer: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, _port = mail_server
    workers.start()
    request = submitted(servant, server, workers)

    def broker_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("Error 111 connecting to Redis. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(deliver_notification, "delay", broker_down)
        decided = workflow.approve(request.pk, by=reporting_officer)

    assert decided.status == Status.APPROVED
    assert PermissionRequest.objects.get(pk=request.pk).status == Status.APPROVED
    notification = row("approved", servant)
    assert (notification.status, notification.attempts) == (DeliveryStatus.PENDING, 0)
    holds_for(3, lambda: server.count() == 2, "no mail may arrive while the broker is down")

    assert outbox.sweep() == 1

    wait_for(lambda: server.count() == 3, "the swept mail", workers.logs)
    wait_for(
        lambda: Notification.objects.get(pk=notification.pk).status == DeliveryStatus.SENT,
        "the row marked sent",
        workers.logs,
    )
    assert outbox.sweep() == 0
    holds_for(3, lambda: len(approved_mails(server, servant, request)) == 1, server.summary())
    assert server.count() == 3


def test_a_refusing_mail_server_gets_the_mail_once_on_the_retry(
    mail_server: tuple[MailServer, int],
    workers: Workers,
    servant: User,
    reporting_officer: User,
) -> None:
    server, _port = mail_server
    workers.start()
    request = submitted(servant, server, workers)
    server.refuse = 1

    workflow.approve(request.pk, by=reporting_officer)

    notification = row("approved", servant)
    wait_for(
        lambda: Notification.objects.get(pk=notification.pk).status == DeliveryStatus.SENT,
        "delivery after the refusal",
        lambda: f"{workers.logs()}\n{Notification.objects.get(pk=notification.pk).last_error}",
    )
    sent = Notification.objects.get(pk=notification.pk)
    assert server.refused == 1
    assert sent.attempts == 2
    assert sent.last_error == ""
    [message] = approved_mails(server, servant, request)
    assert message["Message-ID"] == emails.message_id(notification.dedupe_key)
    holds_for(5, lambda: len(approved_mails(server, servant, request)) == 1, server.summary())
    assert server.count() == 3


def test_a_worker_killed_mid_send_leaves_the_mail_to_a_fresh_worker(
    mail_server: tuple[MailServer, int],
    workers: Workers,
    servant: User,
    reporting_officer: User,
) -> None:
    server, _port = mail_server
    first = workers.start()
    request = submitted(servant, server, workers)
    server.hold = True

    workflow.approve(request.pk, by=reporting_officer)

    wait_for(server.holding.is_set, "the worker sending the approval", workers.logs)
    notification = row("approved", servant)
    assert notification.status == DeliveryStatus.SENDING
    workers.kill(first)
    server.release()

    workers.start()
    assert outbox.sweep() == 0, "a live lease keeps the row from a second sender"
    Notification.objects.filter(pk=notification.pk).update(
        lease_until=notification.lease_until - outbox.LEASE - outbox.LEASE
    )
    assert outbox.sweep() == 1

    wait_for(
        lambda: Notification.objects.get(pk=notification.pk).status == DeliveryStatus.SENT,
        "delivery by the fresh worker",
        workers.logs,
    )
    assert Notification.objects.get(pk=notification.pk).attempts == 2
    holds_for(3, lambda: server.count() <= 4, server.summary())
    copies = approved_mails(server, servant, request)
    # The first copy was fully received before the worker died; the resend is the same
    # message, recognisable by its Message-ID.
    assert len(copies) == 2, server.summary()
    assert {m["Message-ID"] for m in copies} == {emails.message_id(notification.dedupe_key)}
    assert outbox.sweep() == 0
