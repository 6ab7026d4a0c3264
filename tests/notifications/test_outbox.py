"""The outbox itself: one row per person per cause, e-mail choices, and delivery that
survives mail-server failures, dead workers and a broker that is down."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from permissions import emails, outbox, workflow
from permissions.models import EmailPreference, Notification, PermissionRequest, User
from permissions.models.notifications import ALWAYS_EMAILED, DeliveryStatus, NotificationKind
from permissions.states import Status
from permissions.tasks import deliver_notification
from tests.factories import UserFactory, submitted_request

from .conftest import DisconnectedBackend, header, mails_to, rows

pytestmark = pytest.mark.django_db

DECISIONS = sorted(str(kind) for kind in ALWAYS_EMAILED)
OTHER_KINDS = sorted(str(kind) for kind in NotificationKind.values if kind not in ALWAYS_EMAILED)
# Kinds whose templates need only the request and the recipient.
REQUEST_KINDS = ["submitted", "receipt", "forwarded", "withdrawn", "expired", *DECISIONS]


@pytest.fixture
def request_(servant: User) -> PermissionRequest:
    """A submitted request, with the outbox emptied of what submitting it wrote."""
    request = submitted_request(servant)
    Notification.objects.all().delete()
    return request


def one(request: PermissionRequest, recipient: User, kind: str = "receipt", key: str = "k1"):  # type: ignore[no-untyped-def]
    [row] = outbox.notify(recipients=[recipient], kind=kind, key=key, request=request)
    return row


def fresh(row: Notification) -> Notification:
    return Notification.objects.get(pk=row.pk)


def test_the_same_cause_never_writes_a_second_row_or_sends_a_second_mail(
    request_: PermissionRequest, outsider: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox.notify(
            recipients=[outsider], kind="receipt", key="cause-1", request=request_
        )
    with django_capture_on_commit_callbacks(execute=True):
        second = outbox.notify(
            recipients=[outsider], kind="receipt", key="cause-1", request=request_
        )

    assert len(first) == 1
    assert second == []
    assert Notification.objects.filter(recipient=outsider).count() == 1
    assert len(mails_to(outsider)) == 1


def test_a_person_named_twice_for_one_cause_gets_one_row(
    request_: PermissionRequest, outsider: User, auditor: User
) -> None:
    written = outbox.notify(
        recipients=[outsider, auditor, outsider], kind="withdrawn", key="cause-2", request=request_
    )
    assert sorted(row.recipient_id for row in written) == sorted([outsider.pk, auditor.pk])
    assert Notification.objects.filter(dedupe_key__startswith="cause-2:").count() == 2


def test_another_cause_for_the_same_person_is_a_new_row(
    request_: PermissionRequest, outsider: User
) -> None:
    first = one(request_, outsider, key="cause-a")
    second = one(request_, outsider, key="cause-b")
    assert first.pk != second.pk
    assert emails.message_id(first.dedupe_key) != emails.message_id(second.dedupe_key)


def test_the_message_id_is_the_same_each_time_the_same_row_is_sent(
    request_: PermissionRequest, outsider: User
) -> None:
    row = one(request_, outsider)
    assert outbox.deliver(row.pk) == "sent"
    Notification.objects.filter(pk=row.pk).update(status=DeliveryStatus.PENDING)
    assert outbox.deliver(row.pk) == "sent"

    copies = mails_to(outsider)
    assert len(copies) == 2
    ids = {header(message, "Message-ID") for message in copies}
    assert ids == {emails.message_id(row.dedupe_key)}
    assert emails.message_id(row.dedupe_key).endswith("@conduct-portal.test>")


@pytest.mark.parametrize("kind", [k for k in REQUEST_KINDS if k not in ALWAYS_EMAILED])
def test_a_person_who_opted_out_of_a_kind_sees_it_in_the_portal_only(
    kind: str,
    request_: PermissionRequest,
    outsider: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    EmailPreference.objects.create(user=outsider, kind=kind)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        row = one(request_, outsider, kind=kind)

    assert fresh(row).status == DeliveryStatus.PORTAL_ONLY
    assert row.subject and row.body_text
    assert callbacks == []
    assert mails_to(outsider) == []
    assert outbox.deliver(row.pk) == "not due"


@pytest.mark.parametrize("kind", DECISIONS)
def test_decisions_on_ones_own_request_are_mailed_despite_an_opt_out(
    kind: str,
    servant: User,
    request_: PermissionRequest,
    django_capture_on_commit_callbacks: Any,
) -> None:
    EmailPreference.objects.create(user=servant, kind=kind)
    with django_capture_on_commit_callbacks(execute=True):
        row = one(request_, servant, kind=kind)

    assert fresh(row).status == DeliveryStatus.SENT
    assert [m.subject for m in mails_to(servant)] == [row.subject]


def test_an_opt_out_of_one_kind_leaves_the_others_mailed(
    servant: User,
    reporting_officer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    EmailPreference.objects.create(user=reporting_officer, kind="withdrawn")
    with django_capture_on_commit_callbacks(execute=True):
        request = submitted_request(servant)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw(request.pk, by=servant)

    [submitted] = rows("submitted")
    [withdrawn] = rows("withdrawn")
    assert (submitted.status, withdrawn.status) == (DeliveryStatus.SENT, DeliveryStatus.PORTAL_ONLY)
    assert [m.subject for m in mails_to(reporting_officer)] == [submitted.subject]


def test_a_recipient_without_an_address_gets_a_portal_only_row(
    request_: PermissionRequest, django_capture_on_commit_callbacks: Any
) -> None:
    nobody = UserFactory(username="no-address", email="")
    with django_capture_on_commit_callbacks(execute=True):
        row = one(request_, nobody, kind="approved")

    assert fresh(row).status == DeliveryStatus.PORTAL_ONLY
    assert mail.outbox == []


def test_a_recipient_whose_account_is_closed_gets_a_portal_only_row(
    request_: PermissionRequest, django_capture_on_commit_callbacks: Any
) -> None:
    gone = UserFactory(username="retired", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        row = one(request_, gone, kind="approved")

    assert fresh(row).status == DeliveryStatus.PORTAL_ONLY
    assert mails_to(gone) == []


def test_a_row_is_written_now_but_mailed_only_after_commit(
    request_: PermissionRequest, outsider: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        row = one(request_, outsider)
    assert fresh(row).status == DeliveryStatus.PENDING
    assert mail.outbox == []
    assert len(callbacks) == 1

    callbacks[0]()

    assert fresh(row).status == DeliveryStatus.SENT
    assert len(mails_to(outsider)) == 1


def test_a_sent_row_is_not_sent_again(request_: PermissionRequest, outsider: User) -> None:
    row = one(request_, outsider)
    assert outbox.deliver(row.pk) == "sent"
    assert outbox.deliver(row.pk) == "not due"
    assert deliver_notification.delay(row.pk).get() == "not due"

    sent = fresh(row)
    assert (sent.status, sent.attempts, sent.last_error) == (DeliveryStatus.SENT, 1, "")
    assert len(mails_to(outsider)) == 1
    assert outbox.sweep() == 0


def test_a_mail_server_failure_leaves_the_row_pending_with_exponential_backoff(
    request_: PermissionRequest,
    outsider: User,
    smtp_down: type[DisconnectedBackend],
    settings: Any,
) -> None:
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    settings.NOTIFICATION_MAX_ATTEMPTS = 8
    row = one(request_, outsider)
    start = timezone.now()
    waits = []
    for attempt in range(1, 4):
        moment = start + datetime.timedelta(hours=attempt)
        with time_machine.travel(moment, tick=False):
            with pytest.raises(outbox.TransientDeliveryError):
                outbox.deliver(row.pk)
            assert outbox.deliver(row.pk) == "not due"
            assert outbox.sweep() == 0
        failed = fresh(row)
        assert failed.status == DeliveryStatus.PENDING
        assert failed.attempts == attempt
        assert failed.lease_until is None
        assert failed.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
        waits.append((failed.next_attempt_at - moment).total_seconds())

    assert waits == [30, 60, 120]
    assert smtp_down.attempts == 3
    assert mail.outbox == []


def test_after_the_last_attempt_the_row_fails_and_an_admin_can_retry_it(
    request_: PermissionRequest,
    outsider: User,
    smtp_down: type[DisconnectedBackend],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    row = one(request_, outsider)
    start = timezone.now()
    results = []
    for attempt in range(1, 4):
        with time_machine.travel(start + datetime.timedelta(hours=attempt), tick=False):
            try:
                results.append(outbox.deliver(row.pk))
            except outbox.TransientDeliveryError:
                results.append("retry")

    assert results == ["retry", "retry", "failed"]
    failed = fresh(row)
    assert (failed.status, failed.attempts) == (DeliveryStatus.FAILED, 3)
    assert "SMTPServerDisconnected" in failed.last_error
    with time_machine.travel(start + datetime.timedelta(days=30), tick=False):
        assert outbox.sweep() == 0
        assert outbox.deliver(row.pk) == "not due"
    assert smtp_down.attempts == 3

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.retry_failed([row.pk]) == 1

    sent = fresh(row)
    assert (sent.status, sent.attempts) == (DeliveryStatus.SENT, 1)
    assert len(mails_to(outsider)) == 1


def test_retry_failed_leaves_rows_that_did_not_fail_alone(
    request_: PermissionRequest, outsider: User, django_capture_on_commit_callbacks: Any
) -> None:
    row = one(request_, outsider)
    outbox.deliver(row.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.retry_failed([row.pk]) == 0
    assert fresh(row).status == DeliveryStatus.SENT
    assert len(mails_to(outsider)) == 1


def test_the_task_keeps_a_transient_failure_for_a_later_attempt(
    request_: PermissionRequest,
    outsider: User,
    smtp_down: type[DisconnectedBackend],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        row = one(request_, outsider)

    failed = fresh(row)
    assert failed.status == DeliveryStatus.PENDING
    assert failed.attempts == 1
    assert failed.next_attempt_at > timezone.now()
    assert smtp_down.attempts == 1


def test_a_row_whose_sender_died_is_sent_once_its_lease_runs_out(
    request_: PermissionRequest, outsider: User
) -> None:
    row = one(request_, outsider)
    claimed_at = timezone.now()
    Notification.objects.filter(pk=row.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, lease_until=claimed_at + outbox.LEASE
    )

    with time_machine.travel(claimed_at + outbox.LEASE - datetime.timedelta(seconds=1)):
        assert outbox.sweep() == 0
        assert outbox.deliver(row.pk) == "not due"
    assert mail.outbox == []

    with time_machine.travel(claimed_at + outbox.LEASE + datetime.timedelta(seconds=1)):
        assert outbox.sweep() == 1
        assert outbox.sweep() == 0

    sent = fresh(row)
    assert (sent.status, sent.attempts, sent.lease_until) == (DeliveryStatus.SENT, 2, None)
    assert len(mails_to(outsider)) == 1


def test_an_expired_lease_is_reclaimed_by_deliver_itself(
    request_: PermissionRequest, outsider: User
) -> None:
    row = one(request_, outsider)
    Notification.objects.filter(pk=row.pk).update(
        status=DeliveryStatus.SENDING,
        lease_until=timezone.now() - datetime.timedelta(seconds=1),
    )
    assert outbox.deliver(row.pk) == "sent"
    assert outbox.deliver(row.pk) == "not due"
    assert len(mails_to(outsider)) == 1


def test_a_broker_outage_does_not_fail_the_decision_and_the_sweep_sends_later(
    servant: User,
    reporting_officer: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request = submitted_request(servant)
    mail.outbox.clear()
    calls = []

    def broker_down(*args: object, **kwargs: object) -> None:
        calls.append(args)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(deliver_notification, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            approved = workflow.approve(request.pk, by=reporting_officer)

    assert approved.status == Status.APPROVED
    assert PermissionRequest.objects.get(pk=request.pk).status == Status.APPROVED
    [row] = rows("approved")
    assert calls == [(row.pk,)]
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 0)
    assert mail.outbox == []

    assert outbox.sweep() == 1
    assert outbox.sweep() == 0

    assert fresh(row).status == DeliveryStatus.SENT
    assert [m.to for m in mail.outbox] == [[servant.email]]


def test_the_sweep_sends_every_due_row_once_in_the_order_they_fell_due(
    request_: PermissionRequest, outsider: User, auditor: User
) -> None:
    late = one(request_, outsider, key="late")
    early = one(request_, auditor, key="early")
    now = timezone.now()
    Notification.objects.filter(pk=late.pk).update(
        next_attempt_at=now - datetime.timedelta(hours=1)
    )
    Notification.objects.filter(pk=early.pk).update(
        next_attempt_at=now - datetime.timedelta(hours=2)
    )
    future = one(request_, outsider, key="future")
    Notification.objects.filter(pk=future.pk).update(
        next_attempt_at=now + datetime.timedelta(hours=1)
    )

    assert outbox.sweep() == 2

    assert [m.to for m in mail.outbox] == [[auditor.email], [outsider.email]]
    assert fresh(future).status == DeliveryStatus.PENDING


def test_a_retried_task_comes_back_when_the_row_says_not_after_its_own_retry_count(
    request_: PermissionRequest,
    outsider: User,
    smtp_down: type[DisconnectedBackend],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A row re-enqueued by the sweep after three failures is a fresh task (retries 0),
    but its fourth failure must wait the fourth backoff, as next_attempt_at says."""
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    settings.NOTIFICATION_MAX_ATTEMPTS = 8
    row = one(request_, outsider)
    Notification.objects.filter(pk=row.pk).update(attempts=3)
    asked: list[float] = []

    def retry(*, exc: Exception, countdown: float) -> Exception:
        asked.append(countdown)
        return exc

    monkeypatch.setattr(deliver_notification, "retry", retry)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1), tick=False):
        with pytest.raises(outbox.TransientDeliveryError):
            deliver_notification.apply(args=[row.pk], throw=True)
        assert fresh(row).next_attempt_at == timezone.now() + datetime.timedelta(seconds=240)

    assert asked == [240.0]
