"""A revocation is announced to the applicant and to every officer whose approval it
undoes, each once, each in words that fit them; never to the officer who revoked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from django.conf import settings
from django.core import mail

from permissions import services, workflow
from permissions.models import ApprovalStep, PermissionRequest, RoutingRule, User
from permissions.models.notifications import DeliveryStatus, NotificationKind
from permissions.states import Status
from tests.factories import draft_request
from tests.helpers import fresh

from .conftest import mails_to, rows
from .test_workflow_notifications import assert_caused_by, assert_mailed, last_event

pytestmark = pytest.mark.django_db

T = TypeVar("T")
REASONS = "The channel changed hands"


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[Callable[[], T]], T]:
    """Run a workflow action and then its after-commit callbacks, as a request would."""

    def run(action: Callable[[], T]) -> T:
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


@pytest.fixture
def three_steps(television_countersigning: RoutingRule, media_cell_rule: RoutingRule) -> None:
    """A television appearance: reporting officer, countersigning officer, media cell."""


def approved(committed: Any, applicant: User, deciders: dict[str, User]) -> PermissionRequest:
    """Submitted and approved at every step: an officer's step by the person named for
    that officer's username (themselves, or their delegate), a group's step by the
    person named for the group's name."""
    draft = draft_request(applicant)
    request = committed(lambda: workflow.submit(draft.pk, by=applicant, declaration=True))
    while fresh(request).status == Status.PENDING:
        step = workflow.current_step(fresh(request))
        assert step is not None
        holder = step.assignee.username if step.assignee else str(step.group)
        committed(lambda: workflow.approve(request.pk, by=deciders[holder]))  # noqa: B023
    assert fresh(request).status == Status.APPROVED
    mail.outbox.clear()
    return request


def revoke(committed: Any, request: PermissionRequest, by: User) -> None:
    committed(lambda: workflow.revoke(request.pk, by=by, reason=REASONS))


def body_to(person: User) -> str:
    [message] = [m for m in mails_to(person) if "revoked" in m.subject]
    return str(message.body)


def test_an_auditors_revocation_tells_the_applicant_and_each_officer_who_approved_once(
    three_steps: None,
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
    cell_members: list[User],
    auditor_with_revoke_right: User,
    committed: Any,
) -> None:
    cell_head, cell_officer = cell_members
    request = approved(
        committed,
        servant,
        {
            "reporting": reporting_officer,
            "countersigning": countersigning_officer,
            "Establishment Division media cell": cell_officer,
        },
    )
    assert ApprovalStep.objects.filter(request=request).count() == 3

    revoke(committed, request, auditor_with_revoke_right)

    event = last_event(request, "revoke")
    # The cell's other member took no part in the approval; the auditor revoked it.
    assert_caused_by(
        event, "revoked", [servant, reporting_officer, countersigning_officer, cell_officer]
    )
    for row in rows("revoked"):
        assert_mailed(row, request.reference, REASONS)
    assert mails_to(cell_head) == mails_to(auditor_with_revoke_right) == []
    assert len(mail.outbox) == 4
    revoker = str(auditor_with_revoke_right)
    for officer in (reporting_officer, countersigning_officer, cell_officer):
        body = body_to(officer)
        assert (
            f'Request {request.reference} by {servant.get_full_name()} for "{request.topic}", '
            f"which you approved, has been revoked by {revoker}." in body
        ), body
        assert f"{servant.get_full_name()} no longer has permission, and has been told." in body
        assert "your request" not in body.lower()


def test_the_officer_who_revokes_is_not_told_and_the_applicant_reads_what_they_always_did(
    three_steps: None,
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
    cell_members: list[User],
    committed: Any,
) -> None:
    _cell_head, cell_officer = cell_members
    request = approved(
        committed,
        servant,
        {
            "reporting": reporting_officer,
            "countersigning": countersigning_officer,
            "Establishment Division media cell": cell_officer,
        },
    )

    revoke(committed, request, countersigning_officer)

    event = last_event(request, "revoke")
    assert_caused_by(event, "revoked", [servant, reporting_officer, cell_officer])
    assert mails_to(countersigning_officer) == []
    assert f"has been revoked by {countersigning_officer}." in body_to(reporting_officer)
    [to_applicant] = rows("revoked", recipient=servant)
    assert to_applicant.subject == f"The approval of {request.reference} is revoked"
    assert to_applicant.body_text == (
        f"Dear {servant.get_full_name()},\n"
        "\n"
        f'The approval of your request {request.reference} for "{request.topic}" is revoked. '
        "You no longer have permission.\n"
        f"Reasons: {REASONS}\n"
        "\n"
        f"Details: {settings.PORTAL_URL}/requests/{request.pk}/\n"
    )


def test_a_step_approved_by_a_delegate_is_announced_to_both_officers_in_their_own_words(
    servant: User,
    reporting_officer: User,
    delegate: User,
    auditor_with_revoke_right: User,
    committed: Any,
) -> None:
    request = approved(committed, servant, {"reporting": delegate})

    revoke(committed, request, auditor_with_revoke_right)

    event = last_event(request, "revoke")
    assert_caused_by(event, "revoked", [servant, reporting_officer, delegate])
    revoker = str(auditor_with_revoke_right)
    assert (
        f"which you approved on behalf of {reporting_officer}, has been revoked by {revoker}."
        in body_to(delegate)
    )
    assert f"which {delegate} approved on your behalf, has been revoked by {revoker}." in body_to(
        reporting_officer
    )


def test_todays_delegate_of_an_officer_who_approved_is_not_told(
    servant: User,
    reporting_officer: User,
    delegate: User,
    auditor_with_revoke_right: User,
    committed: Any,
) -> None:
    request = approved(committed, servant, {"reporting": reporting_officer})

    revoke(committed, request, auditor_with_revoke_right)

    assert_caused_by(last_event(request, "revoke"), "revoked", [servant, reporting_officer])
    assert mails_to(delegate) == []


def test_only_the_round_that_was_approved_counts(
    servant: User,
    reporting_officer: User,
    delegate: User,
    auditor_with_revoke_right: User,
    committed: Any,
) -> None:
    """The delegate returned the first round; the officer approved the second himself."""
    draft = draft_request(servant)
    committed(lambda: workflow.submit(draft.pk, by=servant, declaration=True))
    committed(lambda: workflow.return_for_clarification(draft.pk, by=delegate, reason="Which day?"))
    committed(lambda: workflow.resubmit(draft.pk, by=servant, declaration=True))
    committed(lambda: workflow.approve(draft.pk, by=reporting_officer))

    revoke(committed, draft, auditor_with_revoke_right)

    assert_caused_by(last_event(draft, "revoke"), "revoked", [servant, reporting_officer])


def test_officers_are_emailed_whatever_they_switched_off_as_applicants_are(
    servant: User,
    reporting_officer: User,
    auditor_with_revoke_right: User,
    committed: Any,
) -> None:
    """A revocation is always e-mailed (ALWAYS_EMAILED): the preferences page offers no
    switch for it, and an officer's approval undone is as weighty as an applicant's."""
    services.email_preferences_set(user=reporting_officer, emailed_kinds=set())
    request = approved(committed, servant, {"reporting": reporting_officer})

    revoke(committed, request, auditor_with_revoke_right)

    [row] = rows(NotificationKind.REVOKED, recipient=reporting_officer)
    assert row.status == DeliveryStatus.SENT
    assert len(mails_to(reporting_officer)) == 1
