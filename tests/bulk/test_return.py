"""Returning many requests with one question."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from permissions.models import AuditEvent, Notification, PermissionRequest, User
from permissions.states import Status

from .conftest import decide, ids

pytestmark = pytest.mark.django_db

QUESTION = "Which programme is this for, and will the script be cleared by the Ministry?"


def test_returned_with_one_question_each_applicant_reads_it(
    officer_client: Client,
    reporting_officer: User,
    pending_requests: Callable[[int], list[PermissionRequest]],
) -> None:
    requests = pending_requests(4)

    response = decide(officer_client, requests, decision="return", question=f"  {QUESTION} ")

    for request in requests:
        returned = PermissionRequest.objects.get(pk=request.pk)
        assert returned.status == Status.RETURNED
        assert returned.decision_reason == QUESTION
    events = AuditEvent.objects.filter(action="return")
    assert sorted(events.values_list("request_id", flat=True)) == sorted(ids(requests))
    assert set(events.values_list("actor_id", "comment")) == {(reporting_officer.pk, QUESTION)}
    rows = Notification.objects.filter(kind="returned")
    assert sorted(rows.values_list("request_id", "recipient_id")) == sorted(
        (request.pk, request.applicant_id) for request in requests
    )
    page = response.content.decode()
    assert "4 requests returned for clarification." in page
    assert page.count("The applicant has your question.") == 4
    assert page.count("Returned for clarification") >= 4
