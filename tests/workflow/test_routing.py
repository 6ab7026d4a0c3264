"""Which steps a submitted request gets, from the routing rules in the database."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from permissions import workflow
from permissions.models import PermissionRequest, RoutingRule, User
from permissions.states import Status, StepStatus
from permissions.workflow import TransitionNotAllowed
from tests.factories import UserFactory, draft_request, platform, submitted_request
from tests.helpers import fresh

from .conftest import assert_refused, steps_of

pytestmark = pytest.mark.django_db


def holders(request: PermissionRequest) -> list[tuple[int | None, int | None]]:
    return [(step.assignee_id, step.group_id) for step in steps_of(request)]


def test_without_rules_only_the_reporting_officer_decides(
    servant: User, reporting_officer: User
) -> None:
    request = submitted_request(servant)
    assert holders(request) == [(reporting_officer.pk, None)]
    assert steps_of(request)[0].reason == "Reporting officer"


def test_a_rule_for_another_platform_adds_nothing(
    servant: User, reporting_officer: User, television_countersigning: RoutingRule
) -> None:
    request = submitted_request(servant, platform=platform("print"), participation="article")
    assert holders(request) == [(reporting_officer.pk, None)]


def test_an_inactive_rule_adds_nothing(
    servant: User, reporting_officer: User, television_countersigning: RoutingRule
) -> None:
    television_countersigning.is_active = False
    television_countersigning.save()
    request = submitted_request(servant)
    assert holders(request) == [(reporting_officer.pk, None)]


def test_official_information_goes_to_the_media_cell(
    servant: User, reporting_officer: User, media_cell: Group, cell_members: list[User]
) -> None:
    RoutingRule.objects.create(
        name="Official information",
        target=RoutingRule.Target.GROUP,
        group=media_cell,
        official_information=RoutingRule.YesNoAny.YES,
    )
    plain = submitted_request(servant)
    involved = submitted_request(
        servant,
        official_information=True,
        official_information_justification="Published figures.",
    )
    assert holders(plain) == [(reporting_officer.pk, None)]
    assert holders(involved) == [(reporting_officer.pk, None), (None, media_cell.pk)]
    assert steps_of(involved)[1].reason == "Official information"


def test_senior_applicants_need_the_countersigning_officer(
    reporting_officer: User, countersigning_officer: User
) -> None:
    RoutingRule.objects.create(
        name="BPS 20 and above",
        target=RoutingRule.Target.COUNTERSIGNING_OFFICER,
        bps_min=20,
    )
    senior = UserFactory(
        username="senior",
        bps=20,
        reporting_officer=reporting_officer,
        countersigning_officer=countersigning_officer,
    )
    junior = UserFactory(
        username="junior",
        bps=19,
        reporting_officer=reporting_officer,
        countersigning_officer=countersigning_officer,
    )
    assert len(steps_of(submitted_request(senior))) == 2
    assert len(steps_of(submitted_request(junior))) == 1


def test_two_rules_naming_the_same_group_add_one_step(
    servant: User, media_cell: Group, media_cell_rule: RoutingRule
) -> None:
    RoutingRule.objects.create(name="Interviews", target=RoutingRule.Target.GROUP, group=media_cell)
    request = submitted_request(servant)
    assert [step.order for step in steps_of(request)] == [1, 2]


def test_no_countersigning_officer_on_record_keeps_the_draft(
    reporting_officer: User, television_countersigning: RoutingRule
) -> None:
    applicant = UserFactory(username="no-cso", reporting_officer=reporting_officer)
    draft = draft_request(applicant)
    assert_refused(
        draft,
        TransitionNotAllowed,
        "needs your countersigning officer (Television appearances)",
        lambda: workflow.submit(draft.pk, by=applicant, declaration=True),
    )
    assert fresh(draft).status == Status.DRAFT


def test_routing_is_worked_out_again_on_resubmission(
    servant: User, reporting_officer: User, countersigning_officer: User
) -> None:
    request = submitted_request(servant)
    workflow.return_for_clarification(request.pk, by=reporting_officer, reason="Clarify.")
    RoutingRule.objects.create(
        name="Television appearances",
        target=RoutingRule.Target.COUNTERSIGNING_OFFICER,
        platform_categories=["television"],
    )
    workflow.resubmit(request.pk, by=servant, declaration=True)
    assert [s.assignee_id for s in steps_of(request) if s.round == 2] == [
        reporting_officer.pk,
        countersigning_officer.pk,
    ]
    assert [s.status for s in steps_of(request) if s.round == 2] == [
        StepStatus.PENDING,
        StepStatus.WAITING,
    ]
