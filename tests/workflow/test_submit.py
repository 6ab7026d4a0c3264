"""Submitting a draft: who may, when, and what a complete request needs."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from permissions import workflow
from permissions.models import PermissionRequest, Platform, User
from permissions.states import Status, StepStatus
from permissions.workflow import TransitionNotAllowed
from tests.factories import UserFactory, draft_request, submitted_request
from tests.helpers import fresh

from .conftest import AuditCounter, assert_event, assert_refused, step_statuses, steps_of

pytestmark = pytest.mark.django_db


def test_applicant_submits_a_draft_to_their_reporting_officer(
    servant: User, reporting_officer: User
) -> None:
    draft = draft_request(servant)
    audit = AuditCounter()

    workflow.submit(draft.pk, by=servant, declaration=True)

    request = fresh(draft)
    assert request.status == Status.PENDING
    assert request.round == 1
    assert request.current_step == 1
    assert request.submitted_at is not None
    assert request.declared_at is not None
    assert "22" in request.declaration_rules.split(", ")
    assert request.applicant_designation == "Section Officer"
    assert request.applicant_bps == 17
    [step] = steps_of(request)
    assert (step.order, step.assignee_id, step.status) == (
        1,
        reporting_officer.pk,
        StepStatus.PENDING,
    )
    assert step.started_at is not None
    assert_event(
        audit.single_new_event(),
        request,
        action="submit",
        actor=servant,
        from_status=Status.DRAFT,
        to_status=Status.PENDING,
    )


def test_submitting_twice_is_refused(servant: User) -> None:
    request = submitted_request(servant)
    assert_refused(
        request,
        TransitionNotAllowed,
        "cannot be submitted while it is Pending",
        lambda: workflow.submit(request.pk, by=servant, declaration=True),
    )


def test_only_the_applicant_may_submit(
    servant: User, reporting_officer: User, outsider: User
) -> None:
    draft = draft_request(servant)
    for person in (reporting_officer, outsider):
        assert_refused(
            draft,
            TransitionNotAllowed,
            "Only the applicant may submit",
            lambda person=person: workflow.submit(draft.pk, by=person, declaration=True),
        )


def test_approving_a_draft_is_refused(servant: User, reporting_officer: User) -> None:
    draft = draft_request(servant)
    error = assert_refused(
        draft,
        TransitionNotAllowed,
        "while it is Draft",
        lambda: workflow.approve(draft.pk, by=reporting_officer),
    )
    assert draft.reference in error.message


def test_without_the_declaration_nothing_is_submitted(servant: User) -> None:
    draft = draft_request(servant)
    error = assert_refused(
        draft,
        TransitionNotAllowed,
        "not complete",
        lambda: workflow.submit(draft.pk, by=servant, declaration=False),
    )
    assert "rules cited" in " ".join(error.field_errors["declaration"])
    assert fresh(draft).status == Status.DRAFT
    assert steps_of(draft) == []


def test_no_reporting_officer_keeps_the_request_a_draft() -> None:
    loner = UserFactory(username="loner", reporting_officer=None)
    draft = draft_request(loner)
    assert_refused(
        draft,
        TransitionNotAllowed,
        "no active reporting officer",
        lambda: workflow.submit(draft.pk, by=loner, declaration=True),
    )
    assert fresh(draft).status == Status.DRAFT


def test_an_inactive_reporting_officer_cannot_receive_the_request(
    servant: User, reporting_officer: User
) -> None:
    reporting_officer.is_active = False
    reporting_officer.save(update_fields=["is_active"])
    draft = draft_request(servant)
    assert_refused(
        draft,
        TransitionNotAllowed,
        "kept as a draft",
        lambda: workflow.submit(draft.pk, by=servant, declaration=True),
    )


@pytest.mark.parametrize(
    ("overrides", "field", "phrase"),
    [
        (
            {"official_information": True, "official_information_justification": "  "},
            "official_information_justification",
            "Rule 18",
        ),
        (
            {"event_at": timezone.now() - datetime.timedelta(hours=1)},
            "event_at",
            "this date has passed",
        ),
        ({"event_at": None}, "event_at", "Give the date"),
        ({"topic": "   "}, "topic", "topic"),
        ({"summary": ""}, "summary", "Summarise"),
        ({"outlet": ""}, "outlet", "Name the channel"),
        ({"honorarium": True, "honorarium_amount": None}, "honorarium_amount", "amount"),
        (
            {"timing": "period", "event_at": None, "period_start": None, "period_end": None},
            "period_start",
            "first day",
        ),
        (
            {
                "timing": "period",
                "event_at": None,
                "period_start": datetime.date(2020, 1, 10),
                "period_end": datetime.date(2020, 1, 1),
            },
            "period_end",
            "cannot end before it starts",
        ),
        (
            {
                "timing": "period",
                "event_at": None,
                "period_start": datetime.date(2020, 1, 1),
                "period_end": datetime.date(2020, 1, 31),
            },
            "period_end",
            "already ended",
        ),
    ],
)
def test_an_incomplete_request_is_not_submitted(
    servant: User, overrides: dict[str, object], field: str, phrase: str
) -> None:
    draft = draft_request(servant, **overrides)
    error = assert_refused(
        draft,
        TransitionNotAllowed,
        "Correct the fields marked",
        lambda: workflow.submit(draft.pk, by=servant, declaration=True),
    )
    assert phrase.lower() in " ".join(error.field_errors[field]).lower()
    assert fresh(draft).status == Status.DRAFT


def test_a_social_media_post_must_say_which_account(servant: User) -> None:
    facebook = Platform.objects.get(name="Facebook")
    draft = draft_request(servant, platform=facebook, participation="post", account_type="")
    error = assert_refused(
        draft,
        TransitionNotAllowed,
        "not complete",
        lambda: workflow.submit(draft.pk, by=servant, declaration=True),
    )
    assert "personal or an official account" in " ".join(error.field_errors["account_type"])


def test_official_information_with_a_justification_is_submitted(servant: User) -> None:
    draft = draft_request(
        servant,
        official_information=True,
        official_information_justification="Figures already published in the annual report.",
    )
    workflow.submit(draft.pk, by=servant, declaration=True)
    assert fresh(draft).status == Status.PENDING
    assert step_statuses(draft) == [StepStatus.PENDING]


def test_a_withdrawn_draft_cannot_be_submitted(servant: User) -> None:
    draft = draft_request(servant)
    workflow.withdraw(draft.pk, by=servant)
    assert_refused(
        draft,
        TransitionNotAllowed,
        "cannot be submitted while it is Withdrawn",
        lambda: workflow.submit(draft.pk, by=servant, declaration=True),
    )
    assert PermissionRequest.objects.get(pk=draft.pk).status == Status.WITHDRAWN
