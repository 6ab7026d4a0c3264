"""Approving: one step or several, by officer or group, with validity and conditions."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from permissions import workflow
from permissions.models import ConductRule, RoutingRule, User
from permissions.states import Status, StepStatus
from permissions.workflow import AlreadyDecided, Approval, TransitionNotAllowed
from tests.factories import UserFactory, platform, submitted_request
from tests.helpers import days, fresh, today

from .conftest import AuditCounter, assert_event, assert_refused, step_statuses, steps_of

pytestmark = pytest.mark.django_db


def event_day(request: object) -> datetime.date:
    return timezone.localdate(request.event_at)  # type: ignore[attr-defined]


def test_reporting_officer_approves_a_one_step_request(
    servant: User, reporting_officer: User
) -> None:
    request = submitted_request(servant)
    audit = AuditCounter()

    workflow.approve(
        request.pk,
        by=reporting_officer,
        approval=Approval(comment="  Keep to the script.  ", conditions_text="No uniform."),
    )

    approved = fresh(request)
    assert approved.status == Status.APPROVED
    assert approved.current_step is None
    assert approved.decided_at is not None
    assert (approved.valid_from, approved.valid_until) == (event_day(request), event_day(request))
    assert approved.conditions_text == "No uniform."
    [step] = steps_of(request)
    assert step.status == StepStatus.APPROVED
    assert step.acted_by_id == reporting_officer.pk
    assert step.acted_for_id is None
    assert step.comment == "Keep to the script."
    assert_event(
        audit.single_new_event(),
        request,
        action="approve",
        actor=reporting_officer,
        from_status=Status.PENDING,
        to_status=Status.APPROVED,
        comment="Keep to the script.\nNo uniform.",
    )


def test_two_step_chain_goes_to_the_countersigning_officer(
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
    television_countersigning: RoutingRule,
) -> None:
    request = submitted_request(servant)
    first, second = steps_of(request)
    assert (first.assignee_id, second.assignee_id) == (
        reporting_officer.pk,
        countersigning_officer.pk,
    )
    assert second.reason == "Television appearances"
    assert step_statuses(request) == [StepStatus.PENDING, StepStatus.WAITING]

    audit = AuditCounter()
    workflow.approve(request.pk, by=reporting_officer)

    forwarded = fresh(request)
    assert forwarded.status == Status.PENDING
    assert forwarded.current_step == 2
    assert forwarded.valid_until is None
    assert step_statuses(request) == [StepStatus.APPROVED, StepStatus.PENDING]
    assert steps_of(request)[1].started_at is not None
    assert_event(
        audit.single_new_event(),
        request,
        action="approve",
        actor=reporting_officer,
        from_status=Status.PENDING,
        to_status=Status.PENDING,
    )

    assert_refused(
        request,
        TransitionNotAllowed,
        "not waiting for your decision",
        lambda: workflow.approve(request.pk, by=reporting_officer),
    )

    workflow.approve(request.pk, by=countersigning_officer)

    approved = fresh(request)
    assert approved.status == Status.APPROVED
    assert approved.current_step is None
    assert step_statuses(request) == [StepStatus.APPROVED, StepStatus.APPROVED]
    assert steps_of(request)[1].acted_by_id == countersigning_officer.pk
    assert_event(
        audit.single_new_event(),
        request,
        action="approve",
        actor=countersigning_officer,
        from_status=Status.PENDING,
        to_status=Status.APPROVED,
    )


def test_countersigning_officer_cannot_act_before_step_one(
    servant: User, countersigning_officer: User, television_countersigning: RoutingRule
) -> None:
    request = submitted_request(servant)
    assert_refused(
        request,
        TransitionNotAllowed,
        "step 1 is held by",
        lambda: workflow.approve(request.pk, by=countersigning_officer),
    )


def test_any_member_of_the_media_cell_decides_the_group_step(
    servant: User,
    reporting_officer: User,
    media_cell: Group,
    cell_members: list[User],
    media_cell_rule: RoutingRule,
    outsider: User,
) -> None:
    request = submitted_request(servant)
    second = steps_of(request)[1]
    assert (second.assignee_id, second.group_id) == (None, media_cell.pk)
    workflow.approve(request.pk, by=reporting_officer)

    assert_refused(
        request,
        TransitionNotAllowed,
        "Establishment Division media cell",
        lambda: workflow.approve(request.pk, by=outsider),
    )
    audit = AuditCounter()
    workflow.approve(request.pk, by=cell_members[1])

    assert fresh(request).status == Status.APPROVED
    assert steps_of(request)[1].acted_by_id == cell_members[1].pk
    assert_event(
        audit.single_new_event(),
        request,
        action="approve",
        actor=cell_members[1],
        from_status=Status.PENDING,
        to_status=Status.APPROVED,
    )


def test_the_other_media_cell_member_also_may_decide(
    servant: User,
    reporting_officer: User,
    cell_members: list[User],
    media_cell_rule: RoutingRule,
    rule_22: ConductRule,
) -> None:
    request = submitted_request(servant)
    workflow.approve(request.pk, by=reporting_officer)
    workflow.reject(request.pk, by=cell_members[0], reason="Sensitive timing.", rule=rule_22)
    assert fresh(request).status == Status.REJECTED
    assert step_statuses(request) == [StepStatus.APPROVED, StepStatus.REJECTED]


def test_three_steps_when_two_rules_match(
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
    television_countersigning: RoutingRule,
    media_cell_rule: RoutingRule,
    cell_members: list[User],
) -> None:
    media_cell_rule.priority = 20
    media_cell_rule.save()
    request = submitted_request(servant)
    assert len(steps_of(request)) == 3
    workflow.approve(request.pk, by=reporting_officer)
    workflow.approve(request.pk, by=countersigning_officer)
    assert fresh(request).current_step == 3
    assert step_statuses(request) == [StepStatus.APPROVED, StepStatus.APPROVED, StepStatus.PENDING]
    workflow.approve(request.pk, by=cell_members[0])
    assert fresh(request).status == Status.APPROVED


# --- validity ----------------------------------------------------------------------------


def test_a_period_is_approved_for_at_most_the_configured_days(
    servant: User, reporting_officer: User, settings: object
) -> None:
    settings.APPROVAL_MAX_DAYS = 30  # type: ignore[attr-defined]
    start = today() + days(2)
    request = submitted_request(
        servant,
        timing="period",
        event_at=None,
        period_start=start,
        period_end=start + days(200),
        platform=platform("print"),
        participation="article",
    )
    workflow.approve(request.pk, by=reporting_officer)
    approved = fresh(request)
    assert (approved.valid_from, approved.valid_until) == (start, start + days(30))


def test_a_short_period_is_approved_as_asked(servant: User, reporting_officer: User) -> None:
    start = today() + days(3)
    request = submitted_request(
        servant, timing="period", event_at=None, period_start=start, period_end=start + days(9)
    )
    workflow.approve(request.pk, by=reporting_officer)
    approved = fresh(request)
    assert (approved.valid_from, approved.valid_until) == (start, start + days(9))


def test_the_officer_may_set_the_validity(servant: User, reporting_officer: User) -> None:
    request = submitted_request(servant)
    audit = AuditCounter()
    valid_from, valid_until = today() + days(1), today() + days(60)
    workflow.approve(
        request.pk,
        by=reporting_officer,
        approval=Approval(valid_from=valid_from, valid_until=valid_until),
    )
    approved = fresh(request)
    assert (approved.valid_from, approved.valid_until) == (valid_from, valid_until)
    event = audit.single_new_event()
    assert event.data["valid_from"] == valid_from.isoformat()
    assert event.data["valid_until"] == valid_until.isoformat()


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "phrase"),
    [
        (10, 5, "must not be before"),
        (-10, -1, "cannot end in the past"),
        (0, 500, "at most"),
    ],
    ids=["until-before-from", "in-the-past", "too-long"],
)
def test_bad_validity_is_refused(
    servant: User, reporting_officer: User, valid_from: int, valid_until: int, phrase: str
) -> None:
    request = submitted_request(servant)
    error = assert_refused(
        request,
        TransitionNotAllowed,
        "could not be recorded",
        lambda: workflow.approve(
            request.pk,
            by=reporting_officer,
            approval=Approval(
                valid_from=today() + days(valid_from), valid_until=today() + days(valid_until)
            ),
        ),
    )
    assert phrase in " ".join(error.field_errors["valid_until"])
    assert fresh(request).status == Status.PENDING


def test_exactly_the_maximum_length_is_accepted(
    servant: User, reporting_officer: User, settings: object
) -> None:
    request = submitted_request(servant)
    maximum = settings.APPROVAL_MAX_DAYS  # type: ignore[attr-defined]
    workflow.approve(
        request.pk,
        by=reporting_officer,
        approval=Approval(valid_from=today(), valid_until=today() + days(maximum)),
    )
    assert fresh(request).valid_until == today() + days(maximum)


# --- conditions --------------------------------------------------------------------------


def test_conditions_are_merged_across_the_steps(
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
    television_countersigning: RoutingRule,
) -> None:
    request = submitted_request(servant)
    workflow.approve(
        request.pk,
        by=reporting_officer,
        approval=Approval(conditions=["personal_views"], conditions_text="State your views."),
    )
    assert fresh(request).conditions == ["personal_views"]
    workflow.approve(
        request.pk,
        by=countersigning_officer,
        approval=Approval(
            conditions=["no_designation", "personal_views"], conditions_text="Send the link."
        ),
    )
    approved = fresh(request)
    assert approved.conditions == ["personal_views", "no_designation"]
    assert approved.conditions_text == "State your views.\nSend the link."
    assert approved.condition_labels[1].startswith("No designation")


def test_an_unknown_condition_is_refused(servant: User, reporting_officer: User) -> None:
    request = submitted_request(servant)
    error = assert_refused(
        request,
        TransitionNotAllowed,
        "Correct the fields marked",
        lambda: workflow.approve(
            request.pk, by=reporting_officer, approval=Approval(conditions=["wear_a_hat"])
        ),
    )
    assert "wear_a_hat" in " ".join(error.field_errors["conditions"])


def test_an_unknown_condition_is_refused_at_an_earlier_step(
    servant: User, reporting_officer: User, television_countersigning: RoutingRule
) -> None:
    request = submitted_request(servant)
    assert_refused(
        request,
        TransitionNotAllowed,
        "Correct the fields marked",
        lambda: workflow.approve(
            request.pk, by=reporting_officer, approval=Approval(conditions=["wear_a_hat"])
        ),
    )


# --- wrong people ------------------------------------------------------------------------


def test_people_off_the_chain_cannot_approve(
    servant: User, other_officer: User, outsider: User, auditor: User
) -> None:
    request = submitted_request(servant)
    for person in (other_officer, outsider, auditor):
        assert_refused(
            request,
            TransitionNotAllowed,
            "not waiting for your decision",
            lambda person=person: workflow.approve(request.pk, by=person),
        )


def test_the_applicant_cannot_approve_their_own_request(servant: User) -> None:
    request = submitted_request(servant)
    assert_refused(
        request,
        TransitionNotAllowed,
        "cannot decide your own request",
        lambda: workflow.approve(request.pk, by=servant),
    )


def test_an_applicant_in_the_media_cell_cannot_clear_their_own_request(
    servant: User,
    reporting_officer: User,
    media_cell: Group,
    media_cell_rule: RoutingRule,
) -> None:
    servant.groups.add(media_cell)
    request = submitted_request(servant)
    workflow.approve(request.pk, by=reporting_officer)
    assert_refused(
        request,
        TransitionNotAllowed,
        "cannot decide your own request",
        lambda: workflow.approve(request.pk, by=servant),
    )


def test_an_inactive_officer_cannot_approve(servant: User, reporting_officer: User) -> None:
    request = submitted_request(servant)
    reporting_officer.is_active = False
    reporting_officer.save(update_fields=["is_active"])
    assert_refused(
        request,
        TransitionNotAllowed,
        "not active",
        lambda: workflow.approve(request.pk, by=reporting_officer),
    )


def test_approving_twice_is_already_decided(servant: User, reporting_officer: User) -> None:
    request = submitted_request(servant)
    workflow.approve(request.pk, by=reporting_officer)
    assert_refused(
        request,
        AlreadyDecided,
        "already been decided",
        lambda: workflow.approve(request.pk, by=reporting_officer),
    )


def test_a_second_officer_after_the_first_decided_is_told_so(
    servant: User, reporting_officer: User
) -> None:
    other_holder = UserFactory(username="second-reader")
    request = submitted_request(servant)
    workflow.approve(request.pk, by=reporting_officer)
    error = assert_refused(
        request,
        AlreadyDecided,
        "it is now Approved",
        lambda: workflow.approve(request.pk, by=other_holder),
    )
    assert request.reference in error.message
