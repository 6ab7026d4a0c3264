"""Fixtures and checks shared by the workflow tests."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission

from permissions.models import (
    ApprovalStep,
    AuditEvent,
    ConductRule,
    Delegation,
    PermissionRequest,
    RoutingRule,
    User,
)
from permissions.workflow import WorkflowError
from tests.factories import UserFactory
from tests.helpers import MEDIA_CELL, days, fresh, today


def steps_of(request: PermissionRequest, round_number: int | None = None) -> list[ApprovalStep]:
    steps = ApprovalStep.objects.filter(request_id=request.pk).order_by("round", "order")
    if round_number is not None:
        steps = steps.filter(round=round_number)
    return list(steps)


def step_statuses(request: PermissionRequest, round_number: int | None = None) -> list[str]:
    if round_number is None:
        round_number = fresh(request).round
    return [step.status for step in steps_of(request, round_number)]


@dataclass(frozen=True)
class Snapshot:
    status: str
    round: int
    current_step: int | None
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    decision_reason: str
    steps: tuple[tuple[Any, ...], ...]
    audit_events: int


def snapshot(request: PermissionRequest) -> Snapshot:
    row = fresh(request)
    steps = tuple(
        ApprovalStep.objects.filter(request_id=request.pk)
        .order_by("round", "order")
        .values_list(
            "round", "order", "status", "assignee_id", "group_id", "acted_by_id", "acted_for_id"
        )
    )
    return Snapshot(
        status=row.status,
        round=row.round,
        current_step=row.current_step,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        decision_reason=row.decision_reason,
        steps=steps,
        audit_events=AuditEvent.objects.count(),
    )


def assert_refused(
    request: PermissionRequest,
    error: type[WorkflowError],
    phrase: str,
    action: Callable[[], object],
) -> WorkflowError:
    """The action raises `error` with `phrase` in its message and changes nothing."""
    before = snapshot(request)
    with pytest.raises(WorkflowError) as caught:
        action()
    assert type(caught.value) is error, f"{type(caught.value).__name__}: {caught.value.message}"
    assert phrase.lower() in caught.value.message.lower(), caught.value.message
    assert snapshot(request) == before
    return caught.value


class AuditCounter:
    """Counts audit events so a test can fetch the one its action wrote."""

    def __init__(self) -> None:
        self.mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def single_new_event(self) -> AuditEvent:
        new = list(AuditEvent.objects.filter(id__gt=self.mark).order_by("id"))
        assert len(new) == 1, [(event.action, event.request_id) for event in new]
        self.mark = new[0].id
        return new[0]


def assert_event(
    event: AuditEvent,
    request: PermissionRequest,
    *,
    action: str,
    actor: User | None,
    from_status: str,
    to_status: str,
    acting_for: User | None = None,
    comment: str = "",
) -> None:
    assert event.request_id == request.pk
    assert event.action == action
    assert event.actor_id == (actor.pk if actor else None)
    assert event.acting_for_id == (acting_for.pk if acting_for else None)
    assert event.from_status == from_status
    assert event.to_status == to_status
    assert event.comment == comment


@pytest.fixture
def audit() -> AuditCounter:
    return AuditCounter()


@pytest.fixture
def rule_22() -> ConductRule:
    return ConductRule.objects.get(number="22")


@pytest.fixture
def media_cell() -> Group:
    return Group.objects.get(name=MEDIA_CELL)


@pytest.fixture
def cell_members(media_cell: Group) -> list[User]:
    members = [
        UserFactory(username="cell-head", designation="Director (Media)", bps=19),
        UserFactory(username="cell-officer", designation="Deputy Director (Media)", bps=18),
    ]
    for member in members:
        member.groups.add(media_cell)
    return members


@pytest.fixture
def media_cell_rule(media_cell: Group, cell_members: list[User]) -> RoutingRule:
    """Television appearances also go to the media cell."""
    return RoutingRule.objects.create(
        name="Media cell clearance",
        target=RoutingRule.Target.GROUP,
        group=media_cell,
        platform_categories=["television"],
    )


@pytest.fixture
def delegate(reporting_officer: User) -> User:
    """Acts for the reporting officer, who is on leave this fortnight."""
    person = UserFactory(username="delegate", designation="Deputy Secretary (acting)", bps=19)
    Delegation.objects.create(
        delegator=reporting_officer,
        delegate=person,
        starts_on=today() - days(1),
        ends_on=today() + days(14),
        reason="Earned leave",
    )
    return person


def grant_revoke_right(user: User) -> User:
    user.user_permissions.add(Permission.objects.get(codename="revoke_approval"))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def auditor_with_revoke_right(auditor: User) -> User:
    return grant_revoke_right(auditor)
