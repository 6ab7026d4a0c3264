"""Who may act on a request: who holds a step, whether a person may decide it and for
whom, who may revoke an approval. The workflow checks these inside its transaction; pages
ask the same questions to decide what to offer, and the schedules to know whom to
remind. One rule each, so that a page never offers what the workflow would refuse.

A step is held by its officer and whoever that officer has delegated to today, or, for a
step of a group, by the group's active members. An applicant never holds a step of their
own request, in their own right, through a group or through a delegation. Delegations do
not chain: only the step's own officer's delegation counts."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence

from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import TransitionNotAllowed
from .models import ApprovalStep, Delegation, PermissionRequest, User
from .states import DECIDABLE, StepStatus


def _today() -> datetime.date:
    return timezone.localdate()


def step_holders(step: ApprovalStep | None, *, applicant_id: int) -> list[User]:
    """Everyone who may decide `step` today: its officer and their delegates, or the
    members of its group; never the applicant."""
    if step is None:
        return []
    return holders_by_step([step], applicant_ids={step.pk: applicant_id})[step.pk]


def holders_by_step(
    steps: Sequence[ApprovalStep], *, applicant_ids: dict[int, int] | None = None
) -> dict[int, list[User]]:
    """step_holders for many steps at once, in at most two queries: step id -> people.

    `applicant_ids` (step id -> applicant id) saves loading each step's request; without
    it, each step's `request` must be loaded (select_related)."""
    delegates: dict[int, list[User]] = defaultdict(list)
    officers = {step.assignee_id for step in steps if step.assignee_id is not None}
    if officers:
        for delegation in (
            Delegation.objects.active_on(_today())
            .filter(delegator_id__in=officers)
            .select_related("delegate")
        ):
            delegates[delegation.delegator_id].append(delegation.delegate)
    members: dict[int, list[User]] = defaultdict(list)
    groups = {step.group_id for step in steps if step.group_id is not None}
    if groups:
        for membership in (
            User.groups.through.objects.filter(group_id__in=groups, user__is_active=True)
            .select_related("user")
            .order_by("user_id")
        ):
            members[membership.group_id].append(membership.user)
    holders = {}
    for step in steps:
        people: list[User]
        if step.assignee is not None:
            people = [step.assignee, *delegates[step.assignee.pk]]
        else:
            people = members[step.group_id] if step.group_id is not None else []
        applicant_id = (
            applicant_ids[step.pk] if applicant_ids is not None else step.request.applicant_id
        )
        holders[step.pk] = [p for p in people if p.pk != applicant_id]
    return holders


def authority_on_step(step: ApprovalStep, user: User, *, applicant_id: int) -> User | None:
    """Whether `user` may decide `step`; returns whom they act for (None: in their own
    right). Raises TransitionNotAllowed, with the reason, when they may not."""
    if user.pk == applicant_id:
        raise TransitionNotAllowed(_("You cannot decide your own request."))
    if not user.is_active:
        raise TransitionNotAllowed(_("Your account is not active."))
    if step.assignee_id is not None:
        if step.assignee_id == user.pk:
            return None
        if (
            Delegation.objects.active_on(_today())
            .filter(delegate=user, delegator_id=step.assignee_id)
            .exists()
        ):
            return step.assignee
    elif step.group_id is not None and user.groups.filter(pk=step.group_id).exists():
        return None
    raise TransitionNotAllowed(
        _("This request is not waiting for your decision: step %(order)s is held by %(holder)s.")
        % {"order": step.order, "holder": step.holder_label}
    )


def step_for_decision(request: PermissionRequest, user: User) -> ApprovalStep | None:
    """The step `user` may decide on `request` now, or None. Reads the request's
    prefetched steps (selectors.request_with_record)."""
    if request.status not in DECIDABLE:
        return None
    for step in request.current_round_steps:
        if step.order == request.current_step and step.status == StepStatus.PENDING:
            try:
                authority_on_step(step, user, applicant_id=request.applicant_id)
            except TransitionNotAllowed:
                return None
            return step
    return None


def holders_for(officer: User) -> tuple[list[int], list[int]]:
    """Whose steps the officer holds: (the officer and everyone who delegated to them
    today, the officer's groups), in one query, kept on the user for the rest of the
    HTTP request (the inbox's badge and its list both ask)."""
    cached: tuple[list[int], list[int]] | None = getattr(officer, "_step_holders", None)
    if cached is not None:
        return cached
    rows = (
        Group.objects.filter(user=officer)
        .order_by()
        .annotate(kind=Value("group"))
        .values_list("kind", "pk")
        .union(
            delegators_of(officer)
            .order_by()
            .annotate(kind=Value("person"))
            .values_list("kind", "delegator"),
            all=True,
        )
    )
    people: list[int] = [officer.pk]
    groups: list[int] = []
    for kind, pk in rows:
        (groups if kind == "group" else people).append(pk)
    officer._step_holders = (people, groups)  # type: ignore[attr-defined]
    return people, groups


def steps_awaiting(officer: User) -> QuerySet[ApprovalStep]:
    """Pending steps this officer may decide: their own, their groups', and those of
    officers who delegated to them today. Never a step of their own request.

    The groups and delegators are looked up first and given as lists: with subqueries
    in the OR, PostgreSQL cannot use the step_inbox_* indexes and joins every request
    (451 ms against 5-7 ms to count an inbox of 495 at a million requests)."""
    people, groups = holders_for(officer)
    return (
        ApprovalStep.objects.filter(status=StepStatus.PENDING)
        .filter(Q(assignee_id__in=people) | Q(group_id__in=groups))
        .exclude(request__applicant=officer)
    )


def delegators_of(officer: User) -> QuerySet[Delegation]:
    """The delegations that let `officer` act for someone today."""
    return Delegation.objects.active_on(_today()).filter(delegate=officer)


def may_revoke(request: PermissionRequest, user: User) -> bool:
    """Officers on the approved chain, and auditors granted the right; never the applicant."""
    if user.pk == request.applicant_id or not user.is_active:
        return False
    if user.has_perm("permissions.revoke_approval"):
        return True
    return (
        ApprovalStep.objects.filter(request=request, round=request.round)
        .filter(Q(assignee=user) | Q(acted_by=user))
        .exists()
    )
