"""Officers cite grounds when they reject or return; the applicant reads them with the
reasons, and the chain keeps what was cited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from permissions import audit, workflow
from permissions.models import AuditEvent, ConductRule, Ground, User
from permissions.states import Action, Status
from permissions.workflow import TransitionNotAllowed
from tests.factories import submitted_request
from tests.helpers import fresh

from .conftest import attribute, by_id, find_all, page, text

pytestmark = pytest.mark.django_db


def _ground(title: str) -> Ground:
    return Ground.objects.select_related("rule").get(title=title)


def test_a_rejection_citing_grounds_records_them_and_the_applicant_reads_them(
    grounds: list[Ground],
    servant: User,
    reporting_officer: User,
    browser: Callable[[User], Client],
) -> None:
    request = submitted_request(servant)
    defamation, trends = _ground("Defamation"), _ground("Following trends")
    response = browser(reporting_officer).post(
        f"/requests/{request.pk}/decide/",
        {
            "decision": "reject",
            "rule": ConductRule.objects.get(number="22").pk,
            "grounds": [defamation.pk, trends.pk],
            "reason": "The draft names a colleague and joins a campaign.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]

    rejected = fresh(request)
    assert rejected.status == Status.REJECTED
    cited = [
        {
            "id": defamation.pk,
            "title": "Defamation",
            "rule": "21",
            "explanation": defamation.explanation,
        },
        {
            "id": trends.pk,
            "title": "Following trends",
            "rule": "22",
            "explanation": trends.explanation,
        },
    ]
    assert rejected.decision_grounds == cited
    event = AuditEvent.objects.get(request=request, action="reject")
    assert event.data["rule"] == "22"
    assert event.data["grounds"] == cited
    assert audit.verify().ok
    # The applicant reads the grounds as the officer cited them, whatever the admin
    # rewords afterwards.
    Ground.objects.filter(pk=defamation.pk).update(title="Defamation of a person")

    html = page(browser(servant).get(f"/requests/{request.pk}/").content)
    [alert] = find_all(
        html, lambda e: "alert" in (attribute(e, "class") or "").split() and "Rejected." in text(e)
    )
    said = text(alert)
    assert "Grounds cited:" in said
    assert f"Defamation (Rule 21): {defamation.explanation}" in said
    assert f"Following trends (Rule 22): {trends.explanation}" in said
    assert "The draft names a colleague and joins a campaign." in said


def test_a_return_citing_a_ground_is_shown_where_the_applicant_amends(
    grounds: list[Ground],
    servant: User,
    reporting_officer: User,
    browser: Callable[[User], Client],
) -> None:
    request = submitted_request(servant)
    official = _ground("Sharing official information")
    workflow.decide(
        request.pk,
        by=reporting_officer,
        action=Action.RETURN,
        reason="Take out the figures from the internal note.",
        grounds=[official],
    )
    event = AuditEvent.objects.get(request=request, action="return")
    assert [(g["id"], g["title"], g["rule"]) for g in event.data["grounds"]] == [
        (official.pk, "Sharing official information", "18")
    ]
    client = browser(servant)
    edit = client.get(f"/requests/{request.pk}/edit/").content.decode()
    assert "Grounds cited:" in edit and "Sharing official information (Rule 18)" in edit

    # Resubmitting starts afresh: the grounds of the return no longer stand.
    workflow.resubmit(request.pk, by=servant, declaration=True)
    assert fresh(request).decision_grounds == []
    assert "Grounds cited:" not in client.get(f"/requests/{request.pk}/").content.decode()
    assert audit.verify().ok


def test_a_decision_without_grounds_is_recorded_as_before(
    grounds: list[Ground], servant: User, reporting_officer: User
) -> None:
    # As the inbox's bulk decisions call it: no grounds argument at all.
    request = submitted_request(servant)
    workflow.decide(
        request.pk,
        by=reporting_officer,
        action=Action.REJECT,
        reason="Not now.",
        rule=ConductRule.objects.get(number="22"),
    )
    assert fresh(request).decision_grounds == []
    assert "grounds" not in AuditEvent.objects.get(request=request, action="reject").data


def test_a_ground_withdrawn_since_the_page_was_drawn_is_refused_beside_the_field(
    grounds: list[Ground],
    servant: User,
    reporting_officer: User,
    browser: Callable[[User], Client],
) -> None:
    request = submitted_request(servant)
    order = _ground("Public order")
    Ground.objects.filter(pk=order.pk).update(is_active=False)
    response = browser(reporting_officer).post(
        f"/requests/{request.pk}/decide/",
        {"decision": "return", "grounds": [order.pk], "reason": "Say more."},
    )
    assert response.status_code == 200
    assert "is not one of the available choices" in text(
        by_id(page(response.content), "div_id_grounds")
    )
    assert fresh(request).status == Status.PENDING

    # The workflow refuses it too, for callers that do not go through the form.
    order.refresh_from_db()
    with pytest.raises(TransitionNotAllowed) as refused:
        workflow.return_for_clarification(
            request.pk, by=reporting_officer, reason="Say more.", grounds=[order]
        )
    assert "grounds" in refused.value.field_errors
    assert fresh(request).status == Status.PENDING
    assert not AuditEvent.objects.filter(request=request, action="return").exists()


def test_the_grounds_sit_in_the_blocks_for_rejecting_and_returning(
    grounds: list[Ground],
    servant: User,
    reporting_officer: User,
    browser: Callable[[User], Client],
) -> None:
    request = submitted_request(servant)
    html = page(browser(reporting_officer).get(f"/requests/{request.pk}/decide/").content)
    by_id(by_id(html, "reveal-reasons"), "div_id_grounds")
    assert "National security" not in text(by_id(html, "reveal-approve"))
