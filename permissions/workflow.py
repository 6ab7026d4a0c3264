"""The only way a permission request changes state.

Each action is one database transaction that locks the request, checks that the actor
may take the action, changes the state with a conditional ``UPDATE … WHERE id = … AND
status = <expected>`` (so a lost race updates nothing, on SQLite and PostgreSQL alike),
and appends exactly one audit event. A refused action raises a ``WorkflowError`` whose
message can be shown to a person as it is, and changes nothing.

The table of allowed transitions, and the words for states and actions, are in
permissions/states.py; who may act on a step is in permissions/authority.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import audit
from .audit import SYSTEM, Origin
from .authority import authority_on_step, holders_by_step, may_revoke, step_holders
from .content import content_digest, decision_digest
from .dates import local_day, validate_in_window
from .errors import AlreadyDecided, TransitionNotAllowed, WorkflowError
from .models import ApprovalStep, AuditEvent, ConductRule, Ground, PermissionRequest, User
from .models.notifications import NotificationKind
from .models.requests import StandardCondition
from .outbox import notify
from .routing import RoutingError, plan_steps
from .states import CONTENT_RECORDED, FINAL, TRANSITIONS, Action, Status, StepStatus
from .submission import declaration_in_force, run_checks, submission_errors

# What the rest of the portal uses: the actions, and the refusals they raise.
__all__ = [
    "SYSTEM",
    "AlreadyDecided",
    "Approval",
    "Origin",
    "TransitionNotAllowed",
    "WorkflowError",
    "approve",
    "current_step",
    "decide",
    "default_validity",
    "escalate",
    "escalate_group_step",
    "escalate_overdue",
    "expire",
    "reject",
    "resubmit",
    "return_for_clarification",
    "revoke",
    "submit",
    "withdraw",
]


@dataclass
class Approval:
    """What an approving officer decides besides 'yes'."""

    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    conditions: list[str] = field(default_factory=list)
    conditions_text: str = ""
    comment: str = ""


# --- helpers ---------------------------------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


def _lock(request_id: int) -> PermissionRequest:
    """Lock the request row for the rest of the transaction.

    On PostgreSQL a second decision on the same request waits here and then sees the
    first one's result; SQLite's IMMEDIATE transactions serialise writers the same way.
    """
    # of=("self",): lock the request alone, not the applicant's or platform's row, so
    # decisions on different requests never queue behind each other.
    return (
        PermissionRequest.objects.select_for_update(of=("self",))
        .select_related("applicant", "platform")
        .get(pk=request_id)
    )


# Where a request can no longer be acted on because someone else already moved it on.
_MOVED_ON: dict[Action, frozenset[str]] = {
    **{
        action: frozenset(Status.values) - {Status.DRAFT, Status.PENDING}
        for action in (Action.APPROVE, Action.REJECT, Action.RETURN, Action.ESCALATE)
    },
    Action.REVOKE: FINAL,
    Action.EXPIRE: FINAL,
}


def _refuse_state(request: PermissionRequest, action: Action) -> None:
    allowed_from, _to = TRANSITIONS[action]
    if request.status in allowed_from:
        return
    label = Status(request.status).label
    if request.status in _MOVED_ON.get(action, frozenset()):
        raise AlreadyDecided(
            _(
                "%(reference)s has already been decided or changed by someone else: it is now "
                "%(status)s. Nothing was changed."
            )
            % {"reference": request.reference, "status": label}
        )
    raise TransitionNotAllowed(
        _("%(reference)s cannot be %(action)s while it is %(status)s.")
        % {
            "reference": request.reference,
            "action": Action(action).label.lower(),
            "status": label,
        }
    )


def _guarded_update(
    request: PermissionRequest, *, expected_status: str, expected_step: int | None, **changes: Any
) -> None:
    """Change the request only if it is still where this action found it."""
    changes.setdefault("updated_at", timezone.now())
    updated = PermissionRequest.objects.filter(
        pk=request.pk,
        status=expected_status,
        round=request.round,
        current_step=expected_step,
    ).update(**changes)
    if updated != 1:
        raise AlreadyDecided(
            _("%(reference)s was changed by someone else a moment ago. Nothing was changed.")
            % {"reference": request.reference}
        )
    for name, value in changes.items():
        setattr(request, name, value)


def _audit(
    request: PermissionRequest,
    action: Action,
    *,
    actor: User | None,
    acting_for: User | None = None,
    from_status: str,
    to_status: str,
    comment: str = "",
    origin: Origin,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append the action's audit event and write, in the same transaction, the
    notifications it causes to the outbox."""
    data = {**(data or {}), "decision": decision_digest(request)}
    if action in CONTENT_RECORDED:
        data["content"] = content_digest(request)
    event = audit.record(
        action,
        request=request,
        actor=actor,
        acting_for=acting_for,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        data=data,
        origin=origin,
    )
    _announce(request, action, event)
    return event


def _step_at(request: PermissionRequest, order: int | None) -> ApprovalStep | None:
    if order is None:
        return None
    return (
        ApprovalStep.objects.select_related("assignee")
        .filter(request=request, round=request.round, order=order)
        .first()
    )


def _announce(request: PermissionRequest, action: Action, event: AuditEvent) -> None:
    """Who hears of an action: the table of DESIGN.md's "Notifications"."""
    key = f"event{event.pk}"
    applicant = request.applicant
    holders = partial(step_holders, applicant_id=request.applicant_id)
    if action in {Action.SUBMIT, Action.RESUBMIT}:
        notify(recipients=holders(_step_at(request, 1)), kind="submitted", key=key, request=request)
        notify(recipients=[applicant], kind="receipt", key=key, request=request)
    elif action == Action.APPROVE and event.to_status == Status.PENDING:
        step = _step_at(request, request.current_step)
        notify(recipients=holders(step), kind="forwarded", key=key, request=request)
    elif action == Action.APPROVE:
        notify(recipients=[applicant], kind="approved", key=key, request=request)
    elif action in {Action.REJECT, Action.RETURN, Action.REVOKE, Action.EXPIRE}:
        kind = {
            Action.REJECT: "rejected",
            Action.RETURN: "returned",
            Action.REVOKE: "revoked",
            Action.EXPIRE: "expired",
        }[action]
        notify(recipients=[applicant], kind=kind, key=key, request=request)
        if action == Action.REVOKE:
            _announce_revocation_to_chain(request, event)
    elif action == Action.WITHDRAW and event.data.get("step"):
        step = _step_at(request, event.data["step"])
        notify(recipients=holders(step), kind="withdrawn", key=key, request=request)
    elif action == Action.ESCALATE:
        previous = User.objects.get(pk=event.data["from"])
        successor = User.objects.get(pk=event.data["to"])
        notify(
            recipients=[successor, previous, applicant],
            kind="escalated",
            key=key,
            request=request,
            context={"previous_officer": previous, "new_officer": successor},
        )


def _announce_revocation_to_chain(request: PermissionRequest, event: AuditEvent) -> None:
    """Tell the officers whose approval is undone: whoever approved a step of the round
    that was approved, and the officer a delegate approved for. Not the revoker, who
    knows, nor a group's other members or today's delegates, who took no part in it."""
    told = {request.applicant_id, event.actor_id}
    officers: dict[int, tuple[User, dict[str, object]]] = {}
    steps = list(
        ApprovalStep.objects.filter(
            request=request, round=request.round, status=StepStatus.APPROVED
        )
        .select_related("acted_by", "acted_for")
        .order_by("order")
    )
    # Those who approved first, so that an officer who both approved a step and had
    # another approved for them reads the approval that was their own.
    for step in steps:
        if step.acted_by is not None:
            officers.setdefault(step.acted_by.pk, (step.acted_by, {"approved_for": step.acted_for}))
    for step in steps:
        if step.acted_for is not None:
            officers.setdefault(
                step.acted_for.pk, (step.acted_for, {"approved_by_delegate": step.acted_by})
            )
    for pk, (officer, context) in officers.items():
        if pk not in told:
            notify(
                recipients=[officer],
                kind="revoked",
                key=f"event{event.pk}",
                request=request,
                context={**context, "on_the_chain": True, "revoked_by": event.actor},
            )


def _require_applicant(request: PermissionRequest, actor: User, action: Action) -> None:
    if actor.pk != request.applicant_id:
        raise TransitionNotAllowed(
            _("Only the applicant may %(action)s this request.") % {"action": _action_verb(action)}
        )


def _action_verb(action: Action) -> str:
    verbs = {
        Action.SUBMIT: _("submit"),
        Action.RESUBMIT: _("resubmit"),
        Action.WITHDRAW: _("withdraw"),
        Action.APPROVE: _("approve"),
        Action.REJECT: _("reject"),
        Action.RETURN: _("return"),
        Action.REVOKE: _("revoke"),
    }
    return str(verbs.get(action, action.value))


def current_step(request: PermissionRequest) -> ApprovalStep | None:
    if request.status != Status.PENDING or request.current_step is None:
        return None
    return (
        ApprovalStep.objects.select_related("assignee", "group")
        .filter(request=request, round=request.round, order=request.current_step)
        .first()
    )


def _create_steps(
    request: PermissionRequest, round_number: int, now: datetime.datetime
) -> list[ApprovalStep]:
    try:
        plan = plan_steps(request)
    except RoutingError as error:
        raise TransitionNotAllowed(str(error)) from error
    steps = [
        ApprovalStep(
            request=request,
            round=round_number,
            order=planned.order,
            assignee=planned.assignee,
            group=planned.group,
            reason=planned.reason,
            status=StepStatus.PENDING if planned.order == 1 else StepStatus.WAITING,
            started_at=now if planned.order == 1 else None,
        )
        for planned in plan
    ]
    ApprovalStep.objects.bulk_create(steps)
    return steps


def _close_open_steps(request: PermissionRequest) -> None:
    ApprovalStep.objects.filter(
        request=request,
        round=request.round,
        status__in=[StepStatus.WAITING, StepStatus.PENDING],
    ).update(status=StepStatus.CLOSED)


def _enter_round(
    request: PermissionRequest,
    actor: User,
    action: Action,
    origin: Origin,
    *,
    declaration: bool,
) -> PermissionRequest:
    """Submit or resubmit: check completeness, snapshot the applicant, route, start step 1."""
    errors = submission_errors(request)
    if not declaration:
        errors.setdefault("declaration", []).append(
            _("Confirm that you have read the rules cited and will comply with them.")
        )
    if errors:
        raise TransitionNotAllowed(
            _("The request is not complete yet. Correct the fields marked and submit again."),
            field_errors=errors,
        )
    now = timezone.now()
    from_status = request.status
    applicant = request.applicant
    new_round = request.round + 1
    # The declaration as the rules and grounds in force word it now; its version goes on
    # the chain, since the Establishment Division amends them.
    declared = declaration_in_force()
    steps = _create_steps(request, new_round, now)
    _guarded_update(
        request,
        expected_status=from_status,
        expected_step=request.current_step,
        status=Status.PENDING,
        round=new_round,
        current_step=1,
        submitted_at=now,
        declared_at=now,
        declaration_rules=", ".join(rule.number for rule in declared.rules),
        applicant_designation=applicant.designation,
        applicant_bps=applicant.bps,
        applicant_organisation_id=applicant.organisation_id,
        decision_reason="",
        decision_rule=None,
        conditions=[],
        conditions_text="",
        decision_grounds=[],
    )
    _audit(
        request,
        action,
        actor=actor,
        from_status=from_status,
        to_status=Status.PENDING,
        origin=origin,
        data={
            "round": new_round,
            "steps": [_step_summary(step) for step in steps],
            "declaration": declared.record(),
            # What the registered checks found in the text as submitted (the
            # pre-screening's flags): recorded, never a reason to refuse.
            "checks": run_checks(request),
        },
    )
    return request


def _step_summary(step: ApprovalStep) -> dict[str, Any]:
    return {
        "order": step.order,
        "assignee": step.assignee_id,
        "group": step.group_id,
        "reason": step.reason,
    }


def _require_text(value: str, field_name: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise TransitionNotAllowed(message, field_errors={field_name: [message]})
    return text


# --- the actions -----------------------------------------------------------------------


@transaction.atomic
def submit(
    request_id: int, *, by: User, declaration: bool, origin: Origin = SYSTEM
) -> PermissionRequest:
    request = _lock(request_id)
    _require_applicant(request, by, Action.SUBMIT)
    _refuse_state(request, Action.SUBMIT)
    return _enter_round(request, by, Action.SUBMIT, origin, declaration=declaration)


@transaction.atomic
def resubmit(
    request_id: int, *, by: User, declaration: bool, origin: Origin = SYSTEM
) -> PermissionRequest:
    request = _lock(request_id)
    _require_applicant(request, by, Action.RESUBMIT)
    _refuse_state(request, Action.RESUBMIT)
    return _enter_round(request, by, Action.RESUBMIT, origin, declaration=declaration)


@transaction.atomic
def withdraw(
    request_id: int, *, by: User, reason: str = "", origin: Origin = SYSTEM
) -> PermissionRequest:
    request = _lock(request_id)
    _require_applicant(request, by, Action.WITHDRAW)
    _refuse_state(request, Action.WITHDRAW)
    from_status = request.status
    step_order = request.current_step
    _guarded_update(
        request,
        expected_status=from_status,
        expected_step=request.current_step,
        status=Status.WITHDRAWN,
        current_step=None,
        decided_at=timezone.now(),
    )
    _close_open_steps(request)
    _audit(
        request,
        Action.WITHDRAW,
        actor=by,
        from_status=from_status,
        to_status=Status.WITHDRAWN,
        comment=reason.strip(),
        origin=origin,
        data={"step": step_order} if from_status == Status.PENDING else {},
    )
    return request


def _decide(
    request_id: int, action: Action, by: User
) -> tuple[PermissionRequest, ApprovalStep, User | None]:
    request = _lock(request_id)
    if by.pk == request.applicant_id:
        raise TransitionNotAllowed(_("You cannot decide your own request."))
    _refuse_state(request, action)
    step = current_step(request)
    if step is None or step.status != StepStatus.PENDING:
        raise AlreadyDecided(
            _("%(reference)s is no longer waiting at this step. Nothing was changed.")
            % {"reference": request.reference}
        )
    acting_for = authority_on_step(step, by, applicant_id=request.applicant_id)
    return request, step, acting_for


def _record_step(
    step: ApprovalStep,
    status: str,
    by: User,
    acting_for: User | None,
    comment: str,
    now: datetime.datetime,
) -> None:
    updated = ApprovalStep.objects.filter(pk=step.pk, status=StepStatus.PENDING).update(
        status=status, acted_by=by, acted_for=acting_for, acted_at=now, comment=comment
    )
    if updated != 1:
        raise AlreadyDecided(_("This step was decided by someone else a moment ago."))


def default_validity(request: PermissionRequest) -> tuple[datetime.date, datetime.date]:
    """The event's date, or the requested period, capped at the configured maximum."""
    today = _today()
    if request.timing == "period" and request.period_start and request.period_end:
        start, end = max(request.period_start, today), request.period_end
    elif request.event_at is not None:
        start = end = max(local_day(request.event_at) or request.event_at.date(), today)
    else:
        start = end = today
    # Forms keep dates within a few years, but a row from elsewhere (the admin, an
    # import) may hold the calendar's last day: cap there rather than overflow.
    try:
        cap = start + datetime.timedelta(days=settings.APPROVAL_MAX_DAYS)
    except OverflowError:
        cap = datetime.date.max
    return start, max(start, min(end, cap))


def _outside_window(**dates: datetime.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, value in dates.items():
        try:
            validate_in_window(value)
        except ValidationError as error:
            errors[name] = list(error.messages)
    return errors


def _check_validity(
    request: PermissionRequest, approval: Approval
) -> tuple[datetime.date, datetime.date]:
    default_from, default_until = default_validity(request)
    valid_from = approval.valid_from or default_from
    valid_until = approval.valid_until or default_until
    # The form keeps typed dates in the window; a default drawn from a stored event
    # date that is not (a row written outside the portal's forms) must not pass either.
    errors = _outside_window(valid_from=valid_from, valid_until=valid_until)
    if errors:
        pass  # the other checks compare these dates; first bring them into the window
    elif valid_until < valid_from:
        errors["valid_until"] = [_("'Valid until' must not be before 'valid from'.")]
    elif valid_until < _today():
        errors["valid_until"] = [_("An approval cannot end in the past.")]
    elif (valid_until - valid_from).days > settings.APPROVAL_MAX_DAYS:
        errors["valid_until"] = [
            _("An approval may last at most %(days)s days.") % {"days": settings.APPROVAL_MAX_DAYS}
        ]
    unknown = set(approval.conditions) - set(StandardCondition.values)
    if unknown:
        errors["conditions"] = [_("Unknown condition: %(codes)s.") % {"codes": ", ".join(unknown)}]
    if errors:
        raise TransitionNotAllowed(
            _("The approval could not be recorded. Correct the fields marked."),
            field_errors=errors,
        )
    return valid_from, valid_until


@transaction.atomic
def approve(
    request_id: int, *, by: User, approval: Approval | None = None, origin: Origin = SYSTEM
) -> PermissionRequest:
    approval = approval or Approval()
    request, step, acting_for = _decide(request_id, Action.APPROVE, by)
    now = timezone.now()
    last_order = ApprovalStep.objects.filter(request=request, round=request.round).aggregate(
        models.Max("order")
    )["order__max"]
    conditions = _merge_conditions(request.conditions, approval.conditions)
    conditions_text = "\n".join(
        text for text in [request.conditions_text.strip(), approval.conditions_text.strip()] if text
    )
    data: dict[str, Any] = {"step": step.order, "conditions": conditions}
    if step.order < last_order:
        _check_validity(request, Approval(conditions=approval.conditions))
        _guarded_update(
            request,
            expected_status=Status.PENDING,
            expected_step=step.order,
            current_step=step.order + 1,
            conditions=conditions,
            conditions_text=conditions_text,
        )
        ApprovalStep.objects.filter(
            request=request, round=request.round, order=step.order + 1
        ).update(status=StepStatus.PENDING, started_at=now)
        data["next_step"] = step.order + 1
        to_status = Status.PENDING
    else:
        valid_from, valid_until = _check_validity(request, approval)
        _guarded_update(
            request,
            expected_status=Status.PENDING,
            expected_step=step.order,
            status=Status.APPROVED,
            current_step=None,
            valid_from=valid_from,
            valid_until=valid_until,
            conditions=conditions,
            conditions_text=conditions_text,
            decided_at=now,
        )
        data.update(valid_from=valid_from.isoformat(), valid_until=valid_until.isoformat())
        to_status = Status.APPROVED
    _record_step(step, StepStatus.APPROVED, by, acting_for, approval.comment.strip(), now)
    _audit(
        request,
        Action.APPROVE,
        actor=by,
        acting_for=acting_for,
        from_status=Status.PENDING,
        to_status=to_status,
        comment="\n".join(
            t for t in [approval.comment.strip(), approval.conditions_text.strip()] if t
        ),
        origin=origin,
        data=data,
    )
    return request


def _merge_conditions(existing: Iterable[str], added: Iterable[str]) -> list[str]:
    merged = list(existing)
    for code in added:
        if code not in merged:
            merged.append(code)
    return merged


@transaction.atomic
def reject(
    request_id: int,
    *,
    by: User,
    reason: str,
    rule: ConductRule | None,
    grounds: Sequence[Ground] = (),
    origin: Origin = SYSTEM,
) -> PermissionRequest:
    request, step, acting_for = _decide(request_id, Action.REJECT, by)
    reason = _require_text(reason, "reason", _("Give the reasons for rejecting the request."))
    if rule is None or not (rule.is_active and rule.grounds_for_rejection):
        message = _("Choose the rule the request would breach.")
        raise TransitionNotAllowed(message, field_errors={"rule": [message]})
    _check_grounds(grounds)
    return _close_at_step(
        request,
        step,
        Action.REJECT,
        by=by,
        acting_for=acting_for,
        reason=reason,
        origin=origin,
        changes={"decision_rule": rule, "decided_at": timezone.now()},
        data={"rule": rule.number},
        grounds=grounds,
    )


def _check_grounds(grounds: Sequence[Ground]) -> None:
    """Only grounds in force may be cited: one the admin has withdrawn since the page
    was drawn is refused, beside the field, rather than recorded."""
    withdrawn = [g.title for g in grounds if not (g.is_active and g.rule.is_active)]
    if withdrawn:
        message = _("No longer a ground that may be cited: %(titles)s.") % {
            "titles": "; ".join(withdrawn)
        }
        raise TransitionNotAllowed(message, field_errors={"grounds": [message]})


def decide(
    request_id: int,
    *,
    by: User,
    action: Action,
    approval: Approval | None = None,
    reason: str = "",
    rule: ConductRule | None = None,
    grounds: Sequence[Ground] = (),
    origin: Origin = SYSTEM,
) -> PermissionRequest:
    """An officer's decision at a step, whichever of the three it is. The grounds cited
    (optional) go with a rejection or a return; an approval cites none."""
    if action == Action.APPROVE:
        return approve(request_id, by=by, approval=approval, origin=origin)
    if action == Action.REJECT:
        return reject(request_id, by=by, reason=reason, rule=rule, grounds=grounds, origin=origin)
    if action == Action.RETURN:
        return return_for_clarification(
            request_id, by=by, reason=reason, grounds=grounds, origin=origin
        )
    raise TransitionNotAllowed(_("Choose whether to approve, reject or return the request."))


@transaction.atomic
def return_for_clarification(
    request_id: int,
    *,
    by: User,
    reason: str,
    grounds: Sequence[Ground] = (),
    origin: Origin = SYSTEM,
) -> PermissionRequest:
    request, step, acting_for = _decide(request_id, Action.RETURN, by)
    reason = _require_text(reason, "reason", _("Say what the applicant should clarify or change."))
    _check_grounds(grounds)
    return _close_at_step(
        request,
        step,
        Action.RETURN,
        by=by,
        acting_for=acting_for,
        reason=reason,
        origin=origin,
        grounds=grounds,
    )


def _close_at_step(
    request: PermissionRequest,
    step: ApprovalStep,
    action: Action,
    *,
    by: User,
    acting_for: User | None,
    reason: str,
    origin: Origin,
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    grounds: Sequence[Ground] = (),
) -> PermissionRequest:
    """Reject or return: the request leaves the chain at this step with the reasons given
    and the grounds cited, which the applicant reads and the chain keeps."""
    to_status = Status.REJECTED if action == Action.REJECT else Status.RETURNED
    step_status = StepStatus.REJECTED if action == Action.REJECT else StepStatus.RETURNED
    cited = [ground.citation() for ground in grounds]
    _guarded_update(
        request,
        expected_status=Status.PENDING,
        expected_step=step.order,
        status=to_status,
        current_step=None,
        decision_reason=reason,
        decision_grounds=cited,
        **(changes or {}),
    )
    _record_step(step, step_status, by, acting_for, reason, timezone.now())
    _close_open_steps(request)
    _audit(
        request,
        action,
        actor=by,
        acting_for=acting_for,
        from_status=Status.PENDING,
        to_status=to_status,
        comment=reason,
        origin=origin,
        data={
            "step": step.order,
            **(data or {}),
            **({"grounds": cited} if cited else {}),
        },
    )
    return request


@transaction.atomic
def revoke(request_id: int, *, by: User, reason: str, origin: Origin = SYSTEM) -> PermissionRequest:
    request = _lock(request_id)
    _refuse_state(request, Action.REVOKE)
    if not may_revoke(request, by):
        raise TransitionNotAllowed(
            _(
                "Only an officer on this request's approval chain, or an authorised auditor, "
                "may revoke its approval."
            )
        )
    reason = _require_text(reason, "reason", _("Give the reasons for revoking the approval."))
    _guarded_update(
        request,
        expected_status=Status.APPROVED,
        expected_step=None,
        status=Status.REVOKED,
        decision_reason=reason,
        decided_at=timezone.now(),
    )
    _audit(
        request,
        Action.REVOKE,
        actor=by,
        from_status=Status.APPROVED,
        to_status=Status.REVOKED,
        comment=reason,
        origin=origin,
    )
    return request


@transaction.atomic
def expire(request_id: int, *, origin: Origin = SYSTEM) -> PermissionRequest:
    """The system ends an approval once its last valid day has passed."""
    request = _lock(request_id)
    _refuse_state(request, Action.EXPIRE)
    # An approval always has a last day (a database constraint); without one it never ends.
    if request.valid_until is None or request.valid_until >= _today():
        raise TransitionNotAllowed(
            _("%(reference)s is valid until %(date)s and cannot expire before then.")
            % {
                "reference": request.reference,
                "date": date_format(request.valid_until) if request.valid_until else "—",
            }
        )
    _guarded_update(
        request, expected_status=Status.APPROVED, expected_step=None, status=Status.EXPIRED
    )
    _audit(
        request,
        Action.EXPIRE,
        actor=None,
        from_status=Status.APPROVED,
        to_status=Status.EXPIRED,
        origin=origin,
        data={"valid_until": request.valid_until.isoformat()},
    )
    return request


def _require_overdue(request: PermissionRequest, step: ApprovalStep) -> None:
    """Refuse to escalate a step that has waited less than ESCALATE_AFTER_DAYS."""
    due = timezone.now() - datetime.timedelta(days=settings.ESCALATE_AFTER_DAYS)
    if step.started_at is None or step.started_at > due:
        raise TransitionNotAllowed(
            _(
                "%(reference)s is not overdue yet: step %(order)s has waited less than "
                "%(days)s days."
            )
            % {
                "reference": request.reference,
                "order": step.order,
                "days": settings.ESCALATE_AFTER_DAYS,
            }
        )


@transaction.atomic
def escalate(request_id: int, *, origin: Origin = SYSTEM) -> PermissionRequest:
    """The system hands an overdue step to the holder's own reporting officer."""
    request = _lock(request_id)
    _refuse_state(request, Action.ESCALATE)
    step = current_step(request)
    if step is None or step.assignee is None:
        raise TransitionNotAllowed(
            _("%(reference)s is waiting on a group, which cannot be escalated.")
            % {"reference": request.reference}
        )
    _require_overdue(request, step)
    previous = step.assignee
    successor = previous.reporting_officer
    if successor is None or not successor.is_active or successor.pk == request.applicant_id:
        raise TransitionNotAllowed(
            _("%(officer)s has no reporting officer to escalate %(reference)s to.")
            % {"officer": previous, "reference": request.reference}
        )
    now = timezone.now()
    _guarded_update(
        request,
        expected_status=Status.PENDING,
        expected_step=step.order,
        current_step=step.order,
    )
    updated = ApprovalStep.objects.filter(
        pk=step.pk, status=StepStatus.PENDING, assignee=previous
    ).update(
        assignee=successor,
        escalated_from=previous,
        escalations=models.F("escalations") + 1,
        started_at=now,
    )
    if updated != 1:
        raise AlreadyDecided(_("This step was decided by someone else a moment ago."))
    _audit(
        request,
        Action.ESCALATE,
        actor=None,
        from_status=Status.PENDING,
        to_status=Status.PENDING,
        origin=origin,
        data={"step": step.order, "from": previous.pk, "to": successor.pk},
    )
    return request


def officers_above_group(group: Group, members: Sequence[User]) -> tuple[list[User], str]:
    """Whom a group's overdue step is brought to: the officers its members report to who
    are not members themselves (above the media cell, the officer it answers to); or,
    where no member reports to anyone outside the group, the members of the group named
    by settings.GROUP_STEP_ESCALATION_GROUP. Returns them and that group's name, or ""
    when they are the officers above."""
    inside = {member.pk for member in members}
    above = list(
        User.objects.filter(
            is_active=True,
            pk__in={member.reporting_officer_id for member in members} - {None},
        )
        .exclude(pk__in=inside)
        .order_by("pk")
    )
    fallback: str = settings.GROUP_STEP_ESCALATION_GROUP
    if above or not fallback or fallback == group.name:
        return above, ""
    return (
        list(
            User.objects.filter(is_active=True, groups__name=fallback)
            .exclude(pk__in=inside)
            .distinct()
            .order_by("pk")
        ),
        fallback,
    )


def escalate_overdue(request_id: int, *, origin: Origin = SYSTEM) -> PermissionRequest:
    """Escalate the request's overdue step, whoever holds it: an officer's goes to the
    officer above, a group's is brought to the officers above the group. Which one is
    read without a lock: each takes the request's lock and refuses what no longer fits."""
    held_by_group = ApprovalStep.objects.filter(
        request_id=request_id,
        request__status=Status.PENDING,
        round=models.F("request__round"),
        order=models.F("request__current_step"),
        group__isnull=False,
    ).exists()
    if held_by_group:
        return escalate_group_step(request_id, origin=origin)
    return escalate(request_id, origin=origin)


@transaction.atomic
def escalate_group_step(request_id: int, *, origin: Origin = SYSTEM) -> PermissionRequest:
    """Escalate the overdue step of a group (the media cell), once.

    The step stays with the group: a routing rule sent the request there for what the
    group does, and any member may still decide it. What changes is who knows: the
    officers above the group (officers_above_group) are told, and the members and the
    applicant are told that they were. The step's escalation count marks it escalated,
    so that a later or concurrent run leaves it alone; the audit event records whom it
    was brought to.

    Nothing about the request's state changes, and no one gains a right to decide it; so
    this is not one of the transitions of states.py, but like them it is a change the chain
    records, made under the request's lock so that it never crosses a decision taken at the
    same moment."""
    request = (
        PermissionRequest.objects.select_for_update(of=("self",))
        .select_related("applicant")
        .get(pk=request_id)
    )
    step = current_step(request)
    if step is None or step.group is None:
        raise AlreadyDecided(
            _("%(reference)s is no longer waiting on a group. Nothing was changed.")
            % {"reference": request.reference}
        )
    if step.escalations:
        raise AlreadyDecided(
            _("%(reference)s was escalated already while waiting for %(group)s.")
            % {"reference": request.reference, "group": step.group}
        )
    _require_overdue(request, step)
    members = holders_by_step([step], applicant_ids={step.pk: request.applicant_id})[step.pk]
    above, escalation_group = officers_above_group(step.group, members)
    above = [officer for officer in above if officer.pk != request.applicant_id]
    # Marked under the request's lock, and only if still unmarked: of two runs at once
    # (SQLite takes no row locks) one marks it, the other changes nothing.
    updated = ApprovalStep.objects.filter(
        pk=step.pk, status=StepStatus.PENDING, group=step.group, escalations=0
    ).update(escalations=F("escalations") + 1)
    if updated != 1:
        raise AlreadyDecided(_("This step was decided by someone else a moment ago."))
    event = audit.record(
        Action.ESCALATE,
        request=request,
        actor=None,
        from_status=Status.PENDING,
        to_status=Status.PENDING,
        origin=origin,
        data={
            "step": step.order,
            "group": step.group_id,
            "told": [officer.pk for officer in above],
            "decision": decision_digest(request),
        },
    )
    context = {
        "group": step.group,
        "waiting_since": step.started_at,
        "officers_above": ", ".join(str(officer) for officer in above),
        "escalation_group": escalation_group,
    }
    key = f"event{event.pk}"
    for audience, people in (
        ("members", members),
        ("above", above),
        ("applicant", [request.applicant]),
    ):
        notify(
            recipients=people,
            kind=NotificationKind.ESCALATED,
            key=key,
            request=request,
            context={**context, "audience": audience},
            # Above the group they hold no step, so the request's page is not theirs
            # to open: the mail names it, and leads to their notifications.
            link=reverse("notifications") if audience == "above" else None,
        )
    return request
