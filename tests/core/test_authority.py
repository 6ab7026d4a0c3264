"""One rule decides who acts for whom: the workflow, the inbox, the people told of a
step, the roles and who may open a request all read it, so they agree on every
delegation, whatever state it is in."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from permissions import selectors, workflow
from permissions.authority import authority_on_step, step_holders, steps_awaiting
from permissions.errors import TransitionNotAllowed
from permissions.models import Delegation, User
from permissions.roles import roles_of
from permissions.services import delegation_end
from permissions.states import Status
from permissions.workflow import SYSTEM, current_step
from tests.factories import UserFactory, submitted_request

pytestmark = pytest.mark.django_db


def _on(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


CASES = {
    # name: (first day, last day, ended early, counts today)
    "running": (-1, 7, False, True),
    "last-day": (-5, 0, False, True),
    "first-day": (0, 3, False, True),
    "ended-early": (-1, 7, True, False),
    "ended-yesterday": (-10, -1, False, False),
    "starts-tomorrow": (1, 10, False, False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_reader_of_a_delegation_agrees(
    case: str, servant: User, reporting_officer: User
) -> None:
    first, last, ended_early, counts = CASES[case]
    stand_in = UserFactory(username="stand-in", designation="Deputy Director", bps=19)
    delegation = Delegation.objects.create(
        delegator=reporting_officer, delegate=stand_in, starts_on=_on(first), ends_on=_on(last)
    )
    if ended_early:
        delegation_end(delegation=delegation, by=reporting_officer, origin=SYSTEM)
    request = submitted_request(servant)
    step = current_step(request)
    assert step is not None

    assert (
        Delegation.objects.active_on(timezone.localdate()).filter(pk=delegation.pk).exists()
    ) is counts
    # The workflow's check, and whom the delegate would act for.
    if counts:
        assert authority_on_step(step, stand_in, applicant_id=servant.pk) == reporting_officer
    else:
        with pytest.raises(TransitionNotAllowed):
            authority_on_step(step, stand_in, applicant_id=servant.pk)
    # Whom the portal tells that the step waits, and whose inbox holds it.
    assert (stand_in in step_holders(step, applicant_id=servant.pk)) is counts
    assert steps_awaiting(stand_in).filter(pk=step.pk).exists() is counts
    # The delegate is an officer only while the delegation runs.
    assert roles_of(stand_in).officer is counts
    # And may open the request only while they may decide it.
    if counts:
        assert selectors.request_for_viewer(user=stand_in, pk=request.pk).pk == request.pk
    else:
        with pytest.raises(Http404):
            selectors.request_for_viewer(user=stand_in, pk=request.pk)


def test_what_the_page_offers_is_what_the_workflow_allows(
    servant: User, reporting_officer: User, countersigning_officer: User
) -> None:
    """The decide page offers a decision exactly to those the workflow lets decide."""
    from permissions.authority import step_for_decision

    request = submitted_request(servant)
    loaded = selectors.request_for_viewer(user=reporting_officer, pk=request.pk)
    assert step_for_decision(loaded, reporting_officer) is not None
    assert step_for_decision(loaded, servant) is None
    workflow.approve(request.pk, by=reporting_officer)
    loaded = selectors.request_for_viewer(user=reporting_officer, pk=request.pk)
    assert loaded.status == Status.APPROVED
    assert step_for_decision(loaded, reporting_officer) is None
