"""What the bulk pages read: which of the chosen requests wait for the officer now, and
which of the others the officer may be told about."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.http import Http404

from permissions import selectors
from permissions.authority import steps_awaiting
from permissions.models import ApprovalStep, PermissionRequest, User


@dataclass(frozen=True)
class Waiting:
    """A chosen request at the officer's step."""

    step: ApprovalStep
    is_last_step: bool

    @property
    def request(self) -> PermissionRequest:
        return self.step.request


def waiting_among(*, officer: User, request_ids: Collection[int]) -> list[Waiting]:
    """The chosen requests that wait for `officer` now (the inbox's own rule: their
    steps, their groups' and those delegated to them today), in the inbox's order, each
    with whether the officer's step is the last of its round (only the last sets the
    validity). A few queries, whatever the number chosen."""
    last_order = (
        ApprovalStep.objects.filter(request=OuterRef("request"), round=OuterRef("round"))
        .order_by("-order")
        .values("order")[:1]
    )
    steps = (
        steps_awaiting(officer)
        .filter(request_id__in=request_ids)
        .select_related(*selectors.AWAITING_RELATED)
        .annotate(last_order=Subquery(last_order))
        .order_by("started_at", "pk")
    )
    return [Waiting(step=step, is_last_step=step.order == step.last_order) for step in steps]


def visible_request(*, viewer: User, pk: int) -> PermissionRequest | None:
    """The request if `viewer` may know it exists (the core's own scoping), else None:
    a chosen id that is not theirs to see is never named back to them."""
    try:
        return selectors.request_for_viewer(user=viewer, pk=pk)
    except Http404:
        return None
