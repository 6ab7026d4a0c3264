"""The bulk decision: the same decision on each chosen request, one after another, each
through the workflow on its own.

Each `workflow.decide` call is its own transaction (lock, checks, conditional update,
audit event, outbox rows), and nothing here wraps them in another: one request's refusal
or lost race changes nothing on the others, and a request the applicant withdraws, or
another officer decides, while the batch runs is simply found moved on when its turn
comes, and reported so."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from permissions import workflow
from permissions.audit import Origin
from permissions.errors import AlreadyDecided, WorkflowError
from permissions.models import PermissionRequest, User
from permissions.states import Action, Status
from permissions.workflow import Approval

from . import selectors


class Result(models.TextChoices):
    """What became of one chosen request."""

    APPROVED = "approved", gettext_lazy("Approved")
    FORWARDED = "forwarded", gettext_lazy("Approved and sent on to the next step")
    RETURNED = "returned", gettext_lazy("Returned for clarification")
    MOVED_ON = "moved_on", gettext_lazy("Not decided: no longer waiting for you")
    REFUSED = "refused", gettext_lazy("Not decided: refused")


DECIDED = frozenset({Result.APPROVED, Result.FORWARDED, Result.RETURNED})


@dataclass(frozen=True)
class BulkDecision:
    """One decision for every chosen request: approve with common validity and
    conditions, or return with one question."""

    action: Action
    approval: Approval
    question: str = ""


@dataclass(frozen=True)
class Outcome:
    """One request's result, as the result page lists it. Plain values, so the page can
    be shown again from the session after the redirect."""

    request_id: int
    result: str
    message: str
    reference: str = ""
    applicant: str = ""
    topic: str = ""
    status: str = ""

    @property
    def decided(self) -> bool:
        return self.result in DECIDED

    @property
    def result_label(self) -> str:
        return str(Result(self.result).label)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def requests_decide(
    *, by: User, request_ids: Sequence[int], decision: BulkDecision, origin: Origin
) -> list[Outcome]:
    """Decide each chosen request in turn; one outcome per request, in the order chosen.

    A request the officer may not even see is refused without a word about it (it may
    not exist for them); any other goes to the workflow, which is the only judge of
    whether the officer may decide it now."""
    waiting = {
        entry.request.pk: entry.request
        for entry in selectors.waiting_among(officer=by, request_ids=request_ids)
    }
    outcomes = []
    for pk in request_ids:
        request = waiting.get(pk) or selectors.visible_request(viewer=by, pk=pk)
        if request is None:
            outcomes.append(
                Outcome(
                    request_id=pk,
                    result=Result.REFUSED,
                    message=_(
                        "Request number %(number)s is not waiting for your decision. "
                        "Nothing was changed."
                    )
                    % {"number": pk},
                )
            )
            continue
        outcomes.append(_decide_one(request, by=by, decision=decision, origin=origin))
    return outcomes


def _decide_one(
    request: PermissionRequest, *, by: User, decision: BulkDecision, origin: Origin
) -> Outcome:
    def outcome(result: Result, message: str, status: str) -> Outcome:
        return Outcome(
            request_id=request.pk,
            result=result,
            message=message,
            reference=request.reference,
            applicant=str(request.applicant.get_full_name() or request.applicant.username),
            topic=request.topic,
            status=status,
        )

    try:
        decided = workflow.decide(
            request.pk,
            by=by,
            action=decision.action,
            approval=decision.approval,
            reason=decision.question,
            origin=origin,
        )
    except AlreadyDecided:
        status = PermissionRequest.objects.values_list("status", flat=True).get(pk=request.pk)
        return outcome(Result.MOVED_ON, _moved_on(request.reference, status), status)
    except WorkflowError as error:
        status = PermissionRequest.objects.values_list("status", flat=True).get(pk=request.pk)
        return outcome(Result.REFUSED, _refusal(error), status)
    # An approval always has its dates (a database constraint).
    if decided.status == Status.APPROVED and decided.valid_from and decided.valid_until:
        message = _("Valid from %(from)s until %(until)s.") % {
            "from": date_format(decided.valid_from),
            "until": date_format(decided.valid_until),
        }
        return outcome(Result.APPROVED, message, decided.status)
    if decided.status == Status.PENDING:
        message = _("Sent on to step %(order)s for the next officer's decision.") % {
            "order": decided.current_step
        }
        return outcome(Result.FORWARDED, message, decided.status)
    return outcome(Result.RETURNED, _("The applicant has your question."), decided.status)


def _moved_on(reference: str, status: str) -> str:
    if status == Status.WITHDRAWN:
        return _("%(reference)s was withdrawn by the applicant before your decision.") % {
            "reference": reference
        }
    return _(
        "%(reference)s was decided or changed by someone else before your decision: it is "
        "now %(status)s."
    ) % {"reference": reference, "status": Status(status).label}


def _refusal(error: WorkflowError) -> str:
    """The workflow's own words, with the reasons it gave field by field (a validity
    that does not fit this request's dates, say)."""
    reasons = [message for messages in error.field_errors.values() for message in messages]
    return " ".join([error.message, *reasons])
