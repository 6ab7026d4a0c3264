"""Who hears of each workflow action, once, by e-mail with plain text, HTML and a link."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import formats, timezone, translation

from permissions import emails, workflow
from permissions.models import (
    AuditEvent,
    ConductRule,
    Notification,
    PermissionRequest,
    RoutingRule,
    User,
)
from permissions.models.notifications import DeliveryStatus
from permissions.models.requests import StandardCondition
from permissions.states import Status
from tests.factories import draft_request
from tests.helpers import days, today

from .conftest import header, html_of, mails_to, recipients_of, rows

pytestmark = pytest.mark.django_db

T = TypeVar("T")


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[Callable[[], T]], T]:
    """Run a workflow action and then its after-commit callbacks, as a request would."""

    def run(action: Callable[[], T]) -> T:
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def link_to(request: PermissionRequest) -> str:
    return f"{settings.PORTAL_URL}/requests/{request.pk}/"


def shown(day: datetime.date) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(formats.localize(day))


def last_event(request: PermissionRequest, action: str) -> AuditEvent:
    return AuditEvent.objects.filter(request=request, action=action).latest("id")


def assert_mailed(row: Notification, *phrases: str, link_in_text: bool = True) -> mail.EmailMessage:
    """The row was sent as exactly one mail to its recipient, with text, HTML and link."""
    assert row.status == DeliveryStatus.SENT, (row.status, row.last_error)
    assert row.sent_at is not None
    assert row.link == f"/requests/{row.request_id}/"
    copies = [m for m in mails_to(row.recipient) if m.subject == row.subject]
    assert len(copies) == 1, [m.subject for m in mails_to(row.recipient)]
    [message] = copies
    link = f"{settings.PORTAL_URL}{row.link}"
    assert message.body == row.body_text
    if link_in_text:
        assert link in message.body
    html = html_of(message)
    assert f'href="{link}"' in html
    for phrase in phrases:
        assert phrase in message.body, (phrase, message.body)
    assert header(message, "Message-ID") == emails.message_id(row.dedupe_key)
    assert header(message, "Auto-Submitted") == "auto-generated"
    return message


def assert_caused_by(event: AuditEvent, kind: str, people: list[User]) -> None:
    """One row per person for this cause, keyed by the audit event."""
    written = rows(kind, dedupe_key__startswith=f"event{event.pk}:")
    assert sorted(row.recipient_id for row in written) == sorted(p.pk for p in people)
    assert {row.dedupe_key for row in written} == {
        f"event{event.pk}:to{person.pk}" for person in people
    }
    assert all(row.request_id == event.request_id for row in written)


def submit(committed: Any, applicant: User) -> PermissionRequest:
    draft = draft_request(applicant)
    return committed(lambda: workflow.submit(draft.pk, by=applicant, declaration=True))


def test_submit_tells_the_officer_and_their_delegate_and_gives_the_applicant_a_receipt(
    servant: User,
    reporting_officer: User,
    delegate: User,
    former_delegate: User,
    outsider: User,
    committed: Any,
) -> None:
    request = submit(committed, servant)

    event = last_event(request, "submit")
    assert_caused_by(event, "submitted", [reporting_officer, delegate])
    assert_caused_by(event, "receipt", [servant])
    assert Notification.objects.count() == 3
    for row in rows("submitted"):
        message = assert_mailed(row, request.reference, "Digital services for citizens")
        assert message.subject == f"{request.reference} awaits your decision"
    [receipt] = rows("receipt")
    message = assert_mailed(receipt, request.reference, "has been submitted")
    assert message.subject == f"{request.reference} has been submitted"
    assert mails_to(former_delegate) == mails_to(outsider) == []
    assert len(mail.outbox) == 3


def test_resubmit_after_a_return_notifies_again_under_the_new_cause(
    servant: User, reporting_officer: User, committed: Any
) -> None:
    request = submit(committed, servant)
    committed(
        lambda: workflow.return_for_clarification(
            request.pk, by=reporting_officer, reason="Name the programme's host."
        )
    )
    mail.outbox.clear()

    committed(lambda: workflow.resubmit(request.pk, by=servant, declaration=True))

    event = last_event(request, "resubmit")
    assert_caused_by(event, "submitted", [reporting_officer])
    assert_caused_by(event, "receipt", [servant])
    assert recipients_of("submitted") == [reporting_officer.pk, reporting_officer.pk]
    assert recipients_of("receipt") == [servant.pk, servant.pk]
    assert [m.to for m in mail.outbox] == [[reporting_officer.email], [servant.email]]
    for kind in ("submitted", "receipt"):
        [row] = rows(kind, dedupe_key__startswith=f"event{event.pk}:")
        assert_mailed(row, request.reference)


def test_approving_a_step_that_is_not_the_last_forwards_to_the_next_officer_only(
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
    television_countersigning: RoutingRule,
    committed: Any,
) -> None:
    request = submit(committed, servant)
    mail.outbox.clear()

    committed(lambda: workflow.approve(request.pk, by=reporting_officer))

    event = last_event(request, "approve")
    assert_caused_by(event, "forwarded", [countersigning_officer])
    assert rows("approved") == []
    [row] = rows("forwarded")
    message = assert_mailed(row, request.reference, "now waits for your decision")
    assert message.subject == row.subject
    assert [m.to for m in mail.outbox] == [[countersigning_officer.email]]


def test_a_group_step_is_forwarded_to_its_members_but_never_to_the_applicant(
    servant: User,
    reporting_officer: User,
    media_cell: Group,
    cell_members: list[User],
    media_cell_rule: RoutingRule,
    committed: Any,
) -> None:
    servant.groups.add(media_cell)
    request = submit(committed, servant)
    mail.outbox.clear()

    committed(lambda: workflow.approve(request.pk, by=reporting_officer))

    event = last_event(request, "approve")
    assert_caused_by(event, "forwarded", cell_members)
    for row in rows("forwarded"):
        assert_mailed(row, request.reference)
    assert mails_to(servant) == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in cell_members)


def test_the_final_approval_tells_the_applicant_the_validity_and_conditions(
    servant: User, reporting_officer: User, delegate: User, committed: Any
) -> None:
    request = submit(committed, servant)
    mail.outbox.clear()
    valid_from, valid_until = today() + days(7), today() + days(30)

    committed(
        lambda: workflow.approve(
            request.pk,
            by=delegate,
            approval=workflow.Approval(
                valid_from=valid_from,
                valid_until=valid_until,
                conditions=[StandardCondition.PERSONAL_VIEWS],
                conditions_text="Do not discuss the pending tax bill",
            ),
        )
    )

    event = last_event(request, "approve")
    assert_caused_by(event, "approved", [servant])
    [row] = rows("approved")
    message = assert_mailed(
        row,
        request.reference,
        f"valid from {shown(valid_from)} until {shown(valid_until)}",
        "Conditions:",
        str(StandardCondition.PERSONAL_VIEWS.label),
        "Do not discuss the pending tax bill",
    )
    assert message.subject == f"{request.reference} is approved"
    assert [m.to for m in mail.outbox] == [[servant.email]]


def test_a_rejection_tells_the_applicant_the_rule_and_the_reasons(
    servant: User, reporting_officer: User, committed: Any
) -> None:
    request = submit(committed, servant)
    mail.outbox.clear()
    rule = ConductRule.objects.get(number="22")

    committed(
        lambda: workflow.reject(
            request.pk, by=reporting_officer, reason="The programme attacks a policy", rule=rule
        )
    )

    event = last_event(request, "reject")
    assert_caused_by(event, "rejected", [servant])
    [row] = rows("rejected")
    message = assert_mailed(row, request.reference, "Rule 22", "The programme attacks a policy")
    assert message.subject == f"{request.reference} is rejected"
    assert [m.to for m in mail.outbox] == [[servant.email]]


def test_a_return_tells_the_applicant_what_to_clarify(
    servant: User, reporting_officer: User, committed: Any
) -> None:
    request = submit(committed, servant)
    mail.outbox.clear()

    committed(
        lambda: workflow.return_for_clarification(
            request.pk, by=reporting_officer, reason="Name the programme host"
        )
    )

    event = last_event(request, "return")
    assert_caused_by(event, "returned", [servant])
    [row] = rows("returned")
    assert_mailed(row, request.reference, "Name the programme host", "resubmit")
    assert [m.to for m in mail.outbox] == [[servant.email]]


def test_a_revocation_tells_the_applicant_the_reasons(
    servant: User, reporting_officer: User, committed: Any
) -> None:
    request = submit(committed, servant)
    committed(lambda: workflow.approve(request.pk, by=reporting_officer))
    mail.outbox.clear()

    committed(
        lambda: workflow.revoke(
            request.pk, by=reporting_officer, reason="The channel changed hands"
        )
    )

    event = last_event(request, "revoke")
    assert_caused_by(event, "revoked", [servant])
    [row] = rows("revoked")
    assert_mailed(row, request.reference, "is revoked", "The channel changed hands")
    assert [m.to for m in mail.outbox] == [[servant.email]]


def test_an_expiry_tells_the_applicant_the_last_valid_day(
    servant: User, reporting_officer: User, committed: Any
) -> None:
    request = submit(committed, servant)
    last_day = today() + days(2)
    committed(
        lambda: workflow.approve(
            request.pk,
            by=reporting_officer,
            approval=workflow.Approval(valid_from=today(), valid_until=last_day),
        )
    )
    mail.outbox.clear()

    with time_machine.travel(timezone.now() + days(3), tick=False):
        committed(lambda: workflow.expire(request.pk))

    assert PermissionRequest.objects.get(pk=request.pk).status == Status.EXPIRED
    event = last_event(request, "expire")
    assert_caused_by(event, "expired", [servant])
    [row] = rows("expired")
    assert_mailed(row, request.reference, f"valid until {shown(last_day)}")
    assert [m.to for m in mail.outbox] == [[servant.email]]


def test_a_withdrawal_tells_whoever_holds_the_current_step(
    servant: User, reporting_officer: User, delegate: User, committed: Any
) -> None:
    request = submit(committed, servant)
    mail.outbox.clear()

    committed(lambda: workflow.withdraw(request.pk, by=servant, reason="The show was cancelled"))

    event = last_event(request, "withdraw")
    assert_caused_by(event, "withdrawn", [reporting_officer, delegate])
    for row in rows("withdrawn"):
        assert_mailed(row, request.reference, "has withdrawn", link_in_text=False)
    assert mails_to(servant) == []
    assert len(mail.outbox) == 2


def test_an_escalation_tells_the_new_officer_the_previous_officer_and_the_applicant(
    servant: User, reporting_officer: User, countersigning_officer: User, committed: Any
) -> None:
    request = submit(committed, servant)
    mail.outbox.clear()

    later = timezone.now() + days(settings.ESCALATE_AFTER_DAYS + 1)
    with time_machine.travel(later, tick=False):
        committed(lambda: workflow.escalate(request.pk))

    event = last_event(request, "escalate")
    assert_caused_by(event, "escalated", [countersigning_officer, reporting_officer, servant])
    for row in rows("escalated"):
        assert_mailed(row, request.reference, "waited too long", "now waits for")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        p.email for p in (countersigning_officer, reporting_officer, servant)
    )


def test_a_failed_action_writes_no_notification(
    servant: User, reporting_officer: User, committed: Any
) -> None:
    request = submit(committed, servant)
    before = Notification.objects.count()
    mail.outbox.clear()

    with pytest.raises(workflow.TransitionNotAllowed):
        committed(lambda: workflow.reject(request.pk, by=reporting_officer, reason="", rule=None))

    assert Notification.objects.count() == before
    assert mail.outbox == []
