"""The declaration is built from the rules and grounds in force, and the version the
applicant signed is kept on the chain with the submission."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from django.test import Client

from permissions import audit, workflow
from permissions.models import AuditEvent, ConductRule, Ground, User
from permissions.submission import declaration_in_force
from tests.factories import draft_request, submitted_request

from .conftest import attribute, find_all, page, text

pytestmark = pytest.mark.django_db


def _declaration_on_the_form(client: Client) -> str:
    html = page(client.get("/requests/new/").content)
    [label] = find_all(
        html, lambda e: e.name == "label" and attribute(e, "for") == "id_declaration"
    )
    return text(label)


def _event(request_pk: int, action: str) -> AuditEvent:
    return AuditEvent.objects.filter(request_id=request_pk, action=action).latest("pk")


def test_the_submission_keeps_the_declared_version_on_the_chain(
    grounds: list[Ground], servant: User, browser: Callable[[User], Client]
) -> None:
    shown = _declaration_on_the_form(browser(servant))
    request = submitted_request(servant)

    declared = _event(request.pk, "submit").data["declaration"]
    assert declared["rules"] == ["18", "21", "22", "24", "25", "25-A", "25-B"]
    assert declared["grounds"] == [g.pk for g in grounds]
    # The digest is of the very words the form showed.
    assert declared["text_sha256"] == hashlib.sha256(shown.encode()).hexdigest()
    assert declared["language"] == "en"
    assert request.declaration_rules == "18, 21, 22, 24, 25, 25-A, 25-B"
    assert audit.verify().ok


def test_a_resubmission_declares_again_as_the_records_then_stand(
    grounds: list[Ground], servant: User, reporting_officer: User
) -> None:
    request = submitted_request(servant)
    workflow.return_for_clarification(request.pk, by=reporting_officer, reason="Say more.")
    withdrawn = Ground.objects.get(title="Following trends")
    Ground.objects.filter(pk=withdrawn.pk).update(is_active=False)

    workflow.resubmit(request.pk, by=servant, declaration=True)

    first = _event(request.pk, "submit").data["declaration"]
    again = _event(request.pk, "resubmit").data["declaration"]
    assert withdrawn.pk in first["grounds"]
    assert withdrawn.pk not in again["grounds"]
    assert again["text_sha256"] != first["text_sha256"]
    assert again["text_sha256"] == hashlib.sha256(declaration_in_force().text.encode()).hexdigest()
    assert audit.verify().ok


def test_an_admin_edit_of_a_ground_changes_the_declaration(
    grounds: list[Ground],
    servant: User,
    admin_client_logged_in: Client,
    browser: Callable[[User], Client],
) -> None:
    ground = Ground.objects.get(title="Public order")
    response = admin_client_logged_in.post(
        f"/admin/permissions/ground/{ground.pk}/change/",
        {
            "title": "Public order and peace",
            "explanation": "Nothing that could stir up unrest or disturb the peace.",
            "rule": ground.rule_id,
            "paragraph": ground.paragraph,
            "platform_categories": ["television", "radio"],
            "is_active": "on",
            "sort_key": ground.sort_key,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ground.refresh_from_db()
    assert ground.platform_categories == ["television", "radio"]
    # The change is on the chain like any other made in the admin.
    assert AuditEvent.objects.filter(action="admin.change").exists()

    client = browser(servant)
    shown = _declaration_on_the_form(client)
    assert "public order and peace" in shown
    assert "; public order;" not in shown

    draft = draft_request(servant)
    workflow.submit(draft.pk, by=servant, declaration=True)
    declared = _event(draft.pk, "submit").data["declaration"]
    assert declared["text_sha256"] == hashlib.sha256(shown.encode()).hexdigest()


def test_a_ground_made_inactive_leaves_the_declaration_and_the_guidance(
    grounds: list[Ground], servant: User, browser: Callable[[User], Client]
) -> None:
    Ground.objects.filter(title="Defamation").update(is_active=False)
    client = browser(servant)
    assert "defamation" not in _declaration_on_the_form(client).lower()
    html = client.get("/requests/new/").content.decode()
    assert "Defamation" not in html


def test_a_rule_taken_out_of_the_declaration_leaves_its_words(grounds: list[Ground]) -> None:
    ConductRule.objects.filter(number="24").update(in_declaration=False)
    said = declaration_in_force().text
    assert said.startswith("I have read Rules 18, 21, 22, 25, 25-A and 25-B of")
    # Its grounds are still grounds: the rule is in force, only not declared by number.
    assert "affiliating with political parties" in said


def test_without_grounds_the_declaration_names_the_rules_alone(grounds: list[Ground]) -> None:
    Ground.objects.update(is_active=False)
    assert declaration_in_force().text == (
        "I have read Rules 18, 21, 22, 24, 25, 25-A and 25-B of the Government Servants "
        "(Conduct) Rules, 1964, and will comply with them."
    )
