"""The words of the workflow exist once, and what the trail records is always one of them."""

from __future__ import annotations

import pytest

from permissions import audit
from permissions.models import AuditEvent, User
from permissions.states import (
    REQUEST_ACTIONS,
    TRANSITIONS,
    WORKFLOW_ACTIONS,
    Action,
    Status,
    label_of,
)
from tests.factories import submitted_request

pytestmark = pytest.mark.django_db


def test_the_trail_refuses_an_action_it_has_no_words_for() -> None:
    with pytest.raises(ValueError, match="approved"):
        audit.record("approved")  # type: ignore[arg-type]
    assert not AuditEvent.objects.exists()


def test_every_state_the_table_names_is_a_status() -> None:
    for sources, targets in TRANSITIONS.values():
        assert sources | targets <= set(Status)
    assert set(Status) == {state for pair in TRANSITIONS.values() for state in pair[0] | pair[1]}
    assert WORKFLOW_ACTIONS < REQUEST_ACTIONS


def test_an_event_reads_as_words(servant: User) -> None:
    submitted_request(servant)
    event = AuditEvent.objects.get(action=Action.SUBMIT)
    assert event.get_action_display() == "Submitted"
    assert event.get_from_status_display() == "Draft"
    assert event.get_to_status_display() == "Pending"


def test_an_unknown_code_is_shown_as_it_is_rather_than_failing() -> None:
    assert label_of(Status, "returned") == "Returned for clarification"
    assert label_of(Status, "archived") == "archived"
