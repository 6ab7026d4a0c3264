"""Random sequences of actions by random people never break the workflow's promises."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from permissions import workflow
from permissions.models import (
    ApprovalStep,
    AuditEvent,
    ConductRule,
    Delegation,
    PermissionRequest,
    RoutingRule,
    User,
)
from permissions.states import FINAL, Status, StepStatus
from permissions.workflow import WorkflowError
from tests.factories import UserFactory, draft_request

from .conftest import snapshot

pytestmark = pytest.mark.django_db

PEOPLE = ["applicant", "reporting", "countersigning", "delegate", "outsider", "auditor"]
PERSONAL_ACTIONS = ["submit", "resubmit", "withdraw", "approve", "reject", "return", "revoke"]
SYSTEM_ACTIONS = ["expire", "escalate", "wait"]
WAIT_DAYS = 7
EVENT_IN_DAYS = 7
DELEGATION_ENDS_IN_DAYS = 14

# Final actions are drawn less often than the ones that move a request along, so that
# approvals, resubmissions, revocations and expiries are reached often enough.
WEIGHTED_ACTIONS = [
    *PERSONAL_ACTIONS,
    *SYSTEM_ACTIONS,
    "approve",
    "approve",
    "approve",
    "resubmit",
    "revoke",
    "expire",
    "wait",
    "wait",
]

# Often the person most likely to act does ("natural"), so sequences get past the first
# steps; otherwise anyone at all tries. The system's actions take no person.
moves = st.sampled_from(WEIGHTED_ACTIONS).flatmap(
    lambda action: st.tuples(
        st.just(action),
        st.just("system")
        if action in SYSTEM_ACTIONS
        else st.sampled_from(["natural"] * 4 + PEOPLE),
    )
)


@dataclass
class Expected:
    """What the rules say should happen, tracked beside the database."""

    two_steps: bool
    status: str = Status.DRAFT
    step: int | None = None
    escalated: bool = False
    acted: set[str] = field(default_factory=set)
    valid_until_day: int | None = None
    elapsed: int = 0
    step_since: int = 0

    def holder(self) -> str:
        if self.step == 1:
            return "countersigning" if self.escalated else "reporting"
        return "countersigning"

    def may_decide(self, who: str) -> bool:
        if self.status != Status.PENDING or who == "applicant":
            return False
        holder = self.holder()
        if who == holder:
            return True
        return (
            who == "delegate" and holder == "reporting" and self.elapsed <= DELEGATION_ENDS_IN_DAYS
        )

    def on_chain(self) -> set[str]:
        chain = {"countersigning" if self.escalated else "reporting"} | self.acted
        if self.two_steps:
            chain.add("countersigning")
        return chain

    def natural_actor(self, action: str) -> str:
        if action in {"submit", "resubmit", "withdraw"}:
            return "applicant"
        if action in {"approve", "reject", "return"} and self.status == Status.PENDING:
            return self.holder()
        return "reporting"

    def escalated_now(self) -> None:
        self.escalated, self.step_since = True, self.elapsed

    def apply(self, action: str, who: str) -> bool | None:
        """Change the expected state; False when the action must be refused.

        None: either outcome is acceptable (escalating a step that is not yet overdue).
        """
        event_passed = self.elapsed > EVENT_IN_DAYS
        if action == "wait":
            self.elapsed += WAIT_DAYS
            return True
        if action in {"submit", "resubmit"}:
            start = Status.DRAFT if action == "submit" else Status.RETURNED
            if who != "applicant" or self.status != start or event_passed:
                return False
            self.status, self.step, self.escalated, self.acted = Status.PENDING, 1, False, set()
            self.step_since = self.elapsed
            return True
        if action == "withdraw":
            if who != "applicant" or self.status not in {
                Status.DRAFT,
                Status.PENDING,
                Status.RETURNED,
            }:
                return False
            self.status, self.step = Status.WITHDRAWN, None
            return True
        if action in {"approve", "reject", "return"}:
            if not self.may_decide(who):
                return False
            self.acted.add(who)
            if action == "reject":
                self.status, self.step = Status.REJECTED, None
            elif action == "return":
                self.status, self.step = Status.RETURNED, None
            elif self.two_steps and self.step == 1:
                self.step, self.step_since = 2, self.elapsed
            else:
                self.status, self.step = Status.APPROVED, None
                self.valid_until_day = max(EVENT_IN_DAYS, self.elapsed)
            return True
        if action == "revoke":
            allowed = who == "auditor" or who in self.on_chain()
            if self.status != Status.APPROVED or who == "applicant" or not allowed:
                return False
            self.status = Status.REVOKED
            return True
        if action == "expire":
            if self.status != Status.APPROVED or self.valid_until_day is None:
                return False
            if self.valid_until_day >= self.elapsed:
                return False
            self.status = Status.EXPIRED
            return True
        if action == "escalate":
            if self.status != Status.PENDING or self.holder() != "reporting":
                return False
            if self.elapsed <= self.step_since:
                return None
            self.escalated_now()
            return True
        raise AssertionError(action)


def cast(two_steps: bool) -> dict[str, User]:
    countersigning = UserFactory(username="p-countersigning", bps=20)
    reporting = UserFactory(username="p-reporting", bps=19, reporting_officer=countersigning)
    applicant = UserFactory(
        username="p-applicant",
        reporting_officer=reporting,
        countersigning_officer=countersigning,
    )
    delegate = UserFactory(username="p-delegate", bps=19)
    Delegation.objects.create(
        delegator=reporting,
        delegate=delegate,
        starts_on=timezone.localdate() - datetime.timedelta(days=1),
        ends_on=timezone.localdate() + datetime.timedelta(days=DELEGATION_ENDS_IN_DAYS),
    )
    auditor = UserFactory(username="p-auditor")
    auditor.user_permissions.add(Permission.objects.get(codename="revoke_approval"))
    if two_steps:
        RoutingRule.objects.create(
            name="Television appearances",
            target=RoutingRule.Target.COUNTERSIGNING_OFFICER,
            platform_categories=["television"],
        )
    return {
        "applicant": applicant,
        "reporting": reporting,
        "countersigning": countersigning,
        "delegate": delegate,
        "outsider": UserFactory(username="p-outsider"),
        "auditor": User.objects.get(pk=auditor.pk),
    }


def attempt(action: str, who: User | None, pk: int, rule: ConductRule) -> None:
    assert who is not None or action in SYSTEM_ACTIONS
    if action == "submit":
        workflow.submit(pk, by=who, declaration=True)  # type: ignore[arg-type]
    elif action == "resubmit":
        workflow.resubmit(pk, by=who, declaration=True)  # type: ignore[arg-type]
    elif action == "withdraw":
        workflow.withdraw(pk, by=who)  # type: ignore[arg-type]
    elif action == "approve":
        workflow.approve(pk, by=who)  # type: ignore[arg-type]
    elif action == "reject":
        workflow.reject(pk, by=who, reason="Breach.", rule=rule)  # type: ignore[arg-type]
    elif action == "return":
        workflow.return_for_clarification(pk, by=who, reason="Clarify.")  # type: ignore[arg-type]
    elif action == "revoke":
        workflow.revoke(pk, by=who, reason="New facts.")  # type: ignore[arg-type]
    elif action == "expire":
        workflow.expire(pk)
    elif action == "escalate":
        workflow.escalate(pk)


# As many examples as the Hypothesis profile says (tests/conftest.py).
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    two_steps=st.booleans(),
    submitted=st.sampled_from([True, True, True, False]),
    script=st.lists(moves, min_size=4, max_size=12),
)
def test_random_sequences_keep_the_workflow_promises(
    two_steps: bool, submitted: bool, script: list[tuple[str, str]]
) -> None:
    rule = ConductRule.objects.get(number="22")
    with (
        time_machine.travel(timezone.now(), tick=False) as clock,
        transaction.atomic(),
    ):
        people = cast(two_steps)
        applicant = people["applicant"]
        request = draft_request(applicant)
        expected = Expected(two_steps=two_steps)
        if submitted:
            script = [("submit", "applicant"), *script]
        for action, drawn in script:
            who = expected.natural_actor(action) if drawn == "natural" else drawn
            before = snapshot(request)
            should_succeed = expected.apply(action, who)
            if action == "wait":
                clock.shift(datetime.timedelta(days=WAIT_DAYS))
                continue
            try:
                attempt(action, people.get(who), request.pk, rule)
            except WorkflowError as error:
                event(f"{action} refused")
                assert should_succeed is not True, f"{action} by {who} refused: {error.message}"
                assert error.message.strip()
                assert snapshot(request) == before
            else:
                event(f"{action} done")
                if should_succeed is None:
                    expected.escalated_now()
                assert should_succeed is not False, f"{action} by {who} allowed: {before.status}"
                assert AuditEvent.objects.count() == before.audit_events + 1
                latest = AuditEvent.objects.order_by("-id")[0]
                assert (latest.request_id, latest.action) == (request.pk, action)
            row = PermissionRequest.objects.get(pk=request.pk)
            assert row.status in Status.values
            assert (row.status, row.current_step) == (expected.status, expected.step)
            if before.status in FINAL:
                assert row.status == before.status
            assert not ApprovalStep.objects.filter(
                request_id=request.pk, status=StepStatus.APPROVED, acted_by=applicant
            ).exists()
            assert not AuditEvent.objects.filter(
                request_id=request.pk, action="approve", actor=applicant
            ).exists()
            assert not AuditEvent.objects.filter(
                request_id=request.pk, action="approve", acting_for=applicant
            ).exists()
        transaction.set_rollback(True)
