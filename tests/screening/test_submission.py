"""The pre-screening at work: flags recorded on the submission's audit event, shown to
the officers with the words marked, never to the applicant, and never a decision."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from permissions import audit, services, workflow
from permissions.audit import SYSTEM
from permissions.models import AuditEvent, Ground, PermissionRequest, User
from permissions.screening import checks
from permissions.screening.models import Language, Phrase
from permissions.states import Action, Status
from tests.factories import draft_request, submitted_request
from tests.grounds.conftest import by_id, find_all, page, text

pytestmark = pytest.mark.django_db

FLAGGED = {
    "topic": "Wheat and the government's policy",
    "summary": "I will say the security forces came late.\nThen: join the protest on Friday.",
    "outlet": "Sach TV",
}


def _screening(request: PermissionRequest, action: str = Action.SUBMIT) -> dict[str, Any]:
    event = AuditEvent.objects.filter(request=request, action=action).latest("pk")
    return event.data["checks"]["screening"]


def test_the_flags_go_on_the_submission_event_with_the_ground_and_the_words(
    phrases: list[Phrase], servant: User
) -> None:
    request = submitted_request(servant, **FLAGGED)

    assert request.status == Status.PENDING  # a flag never stops a submission
    recorded = _screening(request)
    found = {
        (flag["field"], flag["words"], flag["title"], flag["rule"]) for flag in recorded["flags"]
    }
    assert found == {
        ("topic", "government's policy", "Criticism of a government policy or decision", "25-B"),
        ("summary", "security forces", "National security", "21"),
        ("summary", "protest", "Public order", "21"),
    }
    for flag in recorded["flags"]:
        field = getattr(request, flag["field"])
        assert field[flag["start"] : flag["end"]] == flag["words"]
    assert recorded["phrases"] == len(phrases)
    assert recorded["lists_sha256"] == checks.lists_digest(phrases)
    assert recorded["not_recorded"] == 0
    assert audit.verify().ok


def test_a_clean_text_is_recorded_as_screened_with_no_flags(
    phrases: list[Phrase], servant: User
) -> None:
    request = submitted_request(servant)
    recorded = _screening(request)
    assert recorded["flags"] == []
    assert recorded["phrases"] == len(phrases)


def test_a_resubmission_screens_the_amended_text_anew(
    phrases: list[Phrase], servant: User, reporting_officer: User
) -> None:
    request = submitted_request(servant, **FLAGGED)
    workflow.return_for_clarification(request.pk, by=reporting_officer, reason="Reword it.")
    services.request_update(
        request=PermissionRequest.objects.get(pk=request.pk),
        by=servant,
        data={
            "topic": "Wheat and farmers",
            "summary": "How farmers store wheat.",
            "outlet": "Sach TV",
        },
        origin=SYSTEM,
    )
    workflow.resubmit(request.pk, by=servant, declaration=True)
    assert _screening(request, Action.RESUBMIT)["flags"] == []
    # The first submission's flags stay on the chain as they were.
    assert len(_screening(request)["flags"]) == 3


def test_the_administrators_lists_are_what_is_applied(phrases: list[Phrase], servant: User) -> None:
    Phrase.objects.filter(phrase="protest*").update(is_active=False)
    Phrase.objects.create(
        ground=Ground.objects.get(title="Following trends"),
        language=Language.ENGLISH,
        phrase="on Friday",
        example="Post it on Friday.",
    )
    # A ground the administrators switched off takes its phrases with it.
    Ground.objects.filter(title="National security").update(is_active=False)

    titles = {flag["title"] for flag in _screening(submitted_request(servant, **FLAGGED))["flags"]}
    assert titles == {"Criticism of a government policy or decision", "Following trends"}


def test_a_text_tripping_the_lists_again_and_again_keeps_the_event_bounded(
    phrases: list[Phrase], servant: User
) -> None:
    request = submitted_request(servant, summary=" ".join(["protest"] * (checks.MAX_FLAGS + 7)))
    recorded = _screening(request)
    assert len(recorded["flags"]) == checks.MAX_FLAGS
    assert recorded["not_recorded"] == 7


def test_one_ground_flags_a_stretch_of_text_once_and_two_grounds_both_flag_it(
    phrases: list[Phrase],
) -> None:
    compiled = checks.compiled(phrases)
    # "protest*" and "take to the streets" are both Public order; "secret" is Sharing
    # official information and "confidential" too.
    flags = checks.screen({"summary": "Protesters, take to the streets!"}, compiled)
    assert [(flag.words, flag.title) for flag in flags] == [
        ("Protesters", "Public order"),
        ("take to the streets", "Public order"),
    ]
    both = checks.screen({"summary": "خفیہ اداروں کی خفیہ رپورٹ"}, compiled)
    assert {(flag.words, flag.title) for flag in both} == {
        ("خفیہ اداروں", "National security"),
        ("خفیہ", "Sharing official information"),
    }


# --- what the officers see -----------------------------------------------------------------


def test_the_officer_deciding_sees_the_flags_with_the_words_marked_in_the_text(
    phrases: list[Phrase],
    servant: User,
    reporting_officer: User,
    browser: Callable[[User], Client],
) -> None:
    request = submitted_request(servant, **FLAGGED)
    response = browser(reporting_officer).get(f"/requests/{request.pk}/decide/")
    assert response.status_code == 200
    panel = by_id(page(response.content), "screening-heading")
    assert text(panel) == "Pre-screening: 3 passages to read closely"
    html = page(response.content)
    marks = [text(mark) for mark in find_all(html, lambda element: element.name == "mark")]
    assert marks == ["government's policy", "security forces", "protest"]
    body = response.content.decode()
    assert "National security (Rule 21)" in body
    assert "it is not a finding" in body
    # Nothing on the page chooses for the officer: the decision is still theirs.
    assert 'name="decision"' in body and "checked" not in body.split('name="decision"')[1][:80]


def test_the_applicant_is_not_shown_the_flags_and_the_auditor_is(
    phrases: list[Phrase],
    servant: User,
    reporting_officer: User,
    auditor: User,
    browser: Callable[[User], Client],
) -> None:
    request = submitted_request(servant, **FLAGGED)
    own = browser(servant).get(f"/requests/{request.pk}/")
    assert own.status_code == 200
    assert b"Pre-screening" not in own.content
    assert b"<mark>" not in own.content

    officer = browser(reporting_officer).get(f"/requests/{request.pk}/")
    assert b"Pre-screening: 3 passages" in officer.content

    record = browser(auditor).get(f"/audit/requests/{request.pk}/")
    assert record.status_code == 200
    assert b"Pre-screening: 3 passages" in record.content
    assert "<mark>security forces</mark>" in record.content.decode()


def test_a_clean_submission_tells_the_officer_nothing_was_flagged(
    phrases: list[Phrase],
    servant: User,
    reporting_officer: User,
    browser: Callable[[User], Client],
) -> None:
    request = submitted_request(servant)
    response = browser(reporting_officer).get(f"/requests/{request.pk}/decide/")
    assert b"Pre-screening: nothing flagged" in response.content


def test_typed_markup_in_a_flagged_text_is_shown_as_text(
    phrases: list[Phrase],
    servant: User,
    reporting_officer: User,
    browser: Callable[[User], Client],
) -> None:
    request = submitted_request(servant, summary="<b>protest</b> <script>x()</script>")
    body = browser(reporting_officer).get(f"/requests/{request.pk}/decide/").content.decode()
    assert "&lt;b&gt;<mark>protest</mark>&lt;/b&gt;" in body
    assert "<script>x()" not in body


def test_a_request_submitted_before_the_screening_shows_no_panel(
    phrases: list[Phrase],
    servant: User,
    reporting_officer: User,
    browser: Callable[[User], Client],
) -> None:
    request = draft_request(servant)
    workflow.submit(request.pk, by=servant, declaration=True)
    event = AuditEvent.objects.get(request=request, action=Action.SUBMIT)
    # As an event written before the checks existed reads: no "checks" at all.
    data = {key: value for key, value in event.data.items() if key != "checks"}
    from permissions.selectors import submission_panels

    event.data = data
    assert submission_panels(request=request, events=[event]) == []
    assert browser(reporting_officer).get(f"/requests/{request.pk}/decide/").status_code == 200
