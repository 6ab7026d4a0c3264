"""What the bulk pages refuse, and how they say so: a decision not given, a question not
asked, dates that cannot be, a selection too large or unreadable, and requests that are
not the officer's to decide, which are refused one by one and never named to someone
who may not know they exist."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from permissions.models import AuditEvent, PermissionRequest, User
from permissions.states import Status
from tests.factories import UserFactory, submitted_request
from tests.helpers import days, fresh, today

from .conftest import BULK, choose, decide, text

pytestmark = pytest.mark.django_db

Make = Callable[[int], list[PermissionRequest]]


def error_summary(page: str) -> str:
    start = page.index('id="error-summary"')
    return page[start : page.index("</div>", start)]


def unchanged(requests: list[PermissionRequest], events_before: int) -> None:
    assert AuditEvent.objects.count() == events_before
    assert all(fresh(request).status == Status.PENDING for request in requests)


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({}, "decision", "Choose whether to approve or return the requests."),
        (
            {"decision": "return", "question": "   "},
            "question",
            "Write the question the applicants should answer.",
        ),
        (
            {"decision": "approve", "valid_until": (today() - days(1)).isoformat()},
            "valid_until",
            "An approval cannot end in the past.",
        ),
        (
            {
                "decision": "approve",
                "valid_from": (today() + days(5)).isoformat(),
                "valid_until": (today() + days(2)).isoformat(),
            },
            "valid_until",
            "&#x27;Valid until&#x27; must not be before &#x27;valid from&#x27;.",
        ),
        (
            {
                "decision": "approve",
                "valid_from": today().isoformat(),
                "valid_until": (today() + days(400)).isoformat(),
            },
            "valid_until",
            "An approval may last at most 365 days.",
        ),
        ({"decision": "reject", "question": "No."}, "decision", "Select a valid choice."),
    ],
)
def test_a_decision_that_cannot_be_taken_is_named_at_the_top_and_nothing_changes(
    officer_client: Client,
    pending_requests: Make,
    answers: dict[str, str],
    field: str,
    message: str,
) -> None:
    requests = pending_requests(2)
    before = AuditEvent.objects.count()

    response = officer_client.post(BULK, {"selected": [r.pk for r in requests], **answers})

    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: Decide the selected requests" in page
    summary = error_summary(page)
    assert "Nothing has been decided yet." in summary
    assert f'href="#id_{field}' in summary
    assert message in summary
    # The same requests are still chosen, and listed, for a second try.
    for request in requests:
        assert f'<input type="hidden" name="selected" value="{request.pk}">' in page
    unchanged(requests, before)


@pytest.mark.parametrize(
    ("selected", "message"),
    [
        ([], "Select the requests you want to decide first."),
        (["12", "twelve"], "The selection could not be read. Select the requests again."),
        (["-3"], "The selection could not be read. Select the requests again."),
        (
            [str(n) for n in range(1, 102)],
            "You selected 101 requests; decide at most 100 at a time.",
        ),
    ],
)
def test_a_selection_that_cannot_be_used_sends_the_officer_back_to_the_inbox_saying_why(
    officer_client: Client, selected: list[str], message: str
) -> None:
    for method in (officer_client.get, officer_client.post):
        response = method(BULK, {"selected": selected, "decision": "approve"}, follow=True)

        assert response.redirect_chain == [("/inbox/", 302)]
        assert message in response.content.decode()
    assert not AuditEvent.objects.filter(action="approve").exists()


def test_the_same_request_chosen_twice_is_decided_once(
    officer_client: Client, pending_requests: Make
) -> None:
    [request] = pending_requests(1)

    response = decide(officer_client, [request, request], decision="approve")

    assert AuditEvent.objects.filter(action="approve").count() == 1
    assert "1 request approved." in response.content.decode()


def test_requests_that_are_not_the_officers_are_refused_one_by_one(
    officer_client: Client,
    servant: User,
    reporting_officer: User,
    other_officer: User,
    pending_requests: Make,
) -> None:
    mine = pending_requests(2)
    # Another officer's, in another organisation: the officer may not know it exists.
    stranger = UserFactory(username="stranger", reporting_officer=other_officer)
    elsewhere = submitted_request(stranger, topic="Secret elsewhere")
    missing = PermissionRequest.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    before = AuditEvent.objects.count()

    page = choose(officer_client, [mine[0], elsewhere, missing, mine[1]]).content.decode()
    assert "2 other requests you selected are not waiting for your decision." in page
    assert elsewhere.reference not in page and "Secret elsewhere" not in page

    # As if the ids had been written into the form by hand.
    response = decide(officer_client, [mine[0], elsewhere, missing, mine[1]], decision="approve")

    assert response.status_code == 200
    assert [fresh(request).status for request in mine] == [Status.APPROVED] * 2
    assert fresh(elsewhere).status == Status.PENDING
    assert AuditEvent.objects.count() == before + 2
    result = response.content.decode()
    assert "2 requests approved." in result
    assert "2 requests not decided: your decision was refused." in result
    assert f"Request number {elsewhere.pk} is not waiting for your decision." in result
    assert f"Request number {missing} is not waiting for your decision." in result
    assert elsewhere.reference not in result and "Secret elsewhere" not in result


def test_a_request_the_officer_may_see_but_not_decide_is_refused_in_the_workflows_words(
    browser: Callable[[User], Client],
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
) -> None:
    # The reporting officer files a request of their own: their countersigning officer
    # decides it, never they.
    own = submitted_request(reporting_officer, topic="My own interview")
    client = browser(reporting_officer)

    page = choose(client, [own]).content.decode()
    assert "None of the requests you selected is waiting for your decision" in page
    assert f"{own.reference} is not waiting for your decision: it is Pending." in text(page)
    assert "Record the decision" not in page

    result = decide(client, [own], decision="approve").content.decode()

    assert fresh(own).status == Status.PENDING
    assert "You cannot decide your own request." in result
    assert own.reference in result


def test_a_servant_with_nothing_to_decide_is_shown_nothing_to_decide(
    browser: Callable[[User], Client], servant: User, outsider: User, pending_requests: Make
) -> None:
    others = pending_requests(2)
    client = browser(outsider)

    page = choose(client, others).content.decode()

    assert "None of the requests you selected is waiting for your decision" in page
    assert "2 other requests you selected are not waiting for your decision." in page
    assert all(request.reference not in page for request in others)
    assert "Record the decision" not in page

    result = decide(client, others, decision="return", question="Why?").content.decode()
    assert "2 requests not decided: your decision was refused." in result
    assert all(fresh(request).status == Status.PENDING for request in others)


def test_the_result_page_without_a_decision_behind_it_sends_back_to_the_inbox(
    officer_client: Client,
) -> None:
    response = officer_client.get("/inbox/bulk/result/")

    assert (response.status_code, response["Location"]) == (302, "/inbox/")


def test_the_bulk_pages_ask_a_visitor_to_sign_in(client: Client) -> None:
    for url in ("/inbox/bulk/?selected=1", "/inbox/bulk/result/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    response = client.post("/inbox/bulk/", {"selected": ["1"], "decision": "approve"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
