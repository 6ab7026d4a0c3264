"""bench/generate.py at a tiny size: the chain it writes verifies, every state appears,
the officer's inbox holds what was planned, and a seed gives the same rows every time."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from bench.generate import OFFICER, Options, Refused, generate, table_digest
from permissions import audit
from permissions.authority import steps_awaiting
from permissions.models import ApprovalStep, AuditEvent, PermissionRequest, User
from permissions.selectors import awaiting_count, requests_awaiting
from permissions.states import Status, StepStatus

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("on_postgres", "reference_data"),
]

TINY = Options(requests=300, people=100, seed=7, today=datetime.date(2026, 12, 1))
TABLES = [model._meta.db_table for model in (PermissionRequest, ApprovalStep, AuditEvent, User)]


class Undo(Exception):
    """Rolls the first run back, so the second starts from the same empty database."""


def test_a_tiny_data_set_verifies_and_repeats_itself() -> None:
    digests = []
    with pytest.raises(Undo), transaction.atomic():
        generate(TINY, say=lambda line: None)
        digests.append([table_digest(table) for table in TABLES])
        raise Undo
    assert not PermissionRequest.objects.exists()

    result = generate(TINY, say=lambda line: None)
    digests.append([table_digest(table) for table in TABLES])

    assert digests[0] == digests[1]
    report = audit.verify()
    assert report.ok, report.problem
    assert report.checked == AuditEvent.objects.count() >= 5 * TINY.requests * 0.9
    assert set(PermissionRequest.objects.values_list("status", flat=True)) == set(Status.values)

    officer = User.objects.get(username=OFFICER)
    assert awaiting_count(officer=officer) == result.officer_pending > 0
    inbox = requests_awaiting(officer=officer, cursor=None)
    assert inbox.rows
    assert {step.status for step in inbox.rows} == {StepStatus.PENDING}
    assert {step.assignee_id for step in inbox.rows} == {officer.pk}
    assert steps_awaiting(officer).filter(request__status=Status.PENDING).count() == (
        result.officer_pending
    )


def test_refuses_a_database_that_holds_requests() -> None:
    generate(TINY, say=lambda line: None)
    with pytest.raises(Refused, match="already holds requests"):
        generate(TINY, say=lambda line: None)
