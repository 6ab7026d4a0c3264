"""Who may open each page of a request: anyone who may not know the request exists gets
a 404 that does not name it; the others get the page their part allows."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern
from django.utils import timezone

from permissions import services, workflow
from permissions.models import ApprovalStep, Attachment, AuditEvent, ConductRule, PermissionRequest
from permissions.urls import urlpatterns
from tests.factories import draft_request

from .conftest import request_form_data

pytestmark = pytest.mark.django_db

# Each page that takes a request's pk: how a browser reaches it.
PAGES: dict[str, tuple[str, str]] = {
    "request-detail": ("get", "/requests/{pk}/"),
    "request-edit": ("get", "/requests/{pk}/edit/"),
    "request-withdraw": ("get", "/requests/{pk}/withdraw/"),
    "request-renew": ("post", "/requests/{pk}/renew/"),
    "request-decide": ("get", "/requests/{pk}/decide/"),
    "request-revoke": ("get", "/requests/{pk}/revoke/"),
    "attachment-download": ("get", "/requests/{pk}/attachments/{attachment}/"),
    "attachment-remove": ("post", "/requests/{pk}/attachments/{attachment}/remove/"),
}

OK = "200"
TO_DETAIL = "redirect to the request"
TO_EDIT = "redirect to the edit page"
TO_NEW_DRAFT = "redirect to a new draft"
NOT_FOUND = "404"

# What each person gets, by the request's state and page; anyone not named gets a 404.
EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "draft": {
        "request-detail": {"applicant": OK, "auditor": OK},
        "request-edit": {"applicant": OK},
        "request-withdraw": {"applicant": OK},
        "request-renew": {"applicant": TO_DETAIL},
        "request-decide": {"applicant": TO_DETAIL, "auditor": TO_DETAIL},
        "request-revoke": {"applicant": TO_DETAIL, "auditor": TO_DETAIL},
        "attachment-download": {"applicant": OK, "auditor": OK},
        "attachment-remove": {"applicant": TO_EDIT},
    },
    "pending": {
        "request-detail": {"applicant": OK, "reporting_officer": OK, "auditor": OK},
        "request-edit": {"applicant": TO_DETAIL},
        "request-withdraw": {"applicant": OK},
        "request-renew": {"applicant": TO_DETAIL},
        "request-decide": {"applicant": TO_DETAIL, "reporting_officer": OK, "auditor": TO_DETAIL},
        "request-revoke": {
            "applicant": TO_DETAIL,
            "reporting_officer": TO_DETAIL,
            "auditor": TO_DETAIL,
        },
        "attachment-download": {"applicant": OK, "reporting_officer": OK, "auditor": OK},
        "attachment-remove": {"applicant": TO_EDIT},
    },
    "approved": {
        "request-detail": {"applicant": OK, "reporting_officer": OK, "auditor": OK},
        "request-edit": {"applicant": TO_DETAIL},
        "request-withdraw": {"applicant": TO_DETAIL},
        "request-renew": {"applicant": TO_NEW_DRAFT},
        "request-decide": {
            "applicant": TO_DETAIL,
            "reporting_officer": TO_DETAIL,
            "auditor": TO_DETAIL,
        },
        "request-revoke": {"applicant": TO_DETAIL, "reporting_officer": OK, "auditor": TO_DETAIL},
        "attachment-download": {"applicant": OK, "reporting_officer": OK, "auditor": OK},
        "attachment-remove": {"applicant": TO_EDIT},
    },
}

VIEWERS = ["anonymous", "applicant", "reporting_officer", "other_officer", "outsider", "auditor"]


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("script.pdf", b"%PDF-1.4\n% draft script\n", "application/pdf")


@pytest.fixture
def request_in(servant, reporting_officer) -> Callable[[str], PermissionRequest]:  # type: ignore[no-untyped-def]
    """A request of `servant` in the given state, with one attachment."""

    def _make(state: str) -> PermissionRequest:
        draft = draft_request(servant, topic="Flood relief briefing")
        services.attachment_add(request=draft, by=servant, upload=_pdf())
        if state in {"pending", "approved"}:
            workflow.submit(draft.pk, by=servant, declaration=True)
        if state == "approved":
            # Valid from today: a permission can be renewed only once it has started.
            started = workflow.Approval(valid_from=timezone.localdate())
            workflow.approve(draft.pk, by=reporting_officer, approval=started)
        return PermissionRequest.objects.get(pk=draft.pk)

    return _make


def _client_for(viewer: str, request: pytest.FixtureRequest, browser: Any) -> Client:
    if viewer == "anonymous":
        return Client()
    person = request.getfixturevalue("servant" if viewer == "applicant" else viewer)
    client: Client = browser(person)
    return client


def _url(name: str, permission_request: PermissionRequest) -> str:
    attachment = permission_request.attachments.get()
    return PAGES[name][1].format(pk=permission_request.pk, attachment=attachment.pk)


def _state_of_everything() -> tuple[object, ...]:
    """What a person could change through these pages."""
    return (
        tuple(
            PermissionRequest.objects.order_by("pk").values_list(
                "pk", "status", "topic", "round", "current_step", "valid_until", "decision_reason"
            )
        ),
        tuple(ApprovalStep.objects.order_by("pk").values_list("pk", "status", "acted_by_id")),
        tuple(Attachment.objects.order_by("pk").values_list("pk", "file")),
        tuple(a.file.storage.exists(a.file.name) for a in Attachment.objects.order_by("pk")),
        # A refusal is itself audited ("access.denied"); nothing else may be written.
        AuditEvent.objects.exclude(action="access.denied").count(),
    )


def test_every_page_of_a_request_is_in_the_matrix() -> None:
    with_request_pk = {
        pattern.name
        for pattern in urlpatterns
        if isinstance(pattern, URLPattern)
        and "<int:pk>" in str(pattern.pattern)
        and str(pattern.pattern).startswith("requests/")
    }
    assert with_request_pk == set(PAGES)


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("state", list(EXPECTED))
def test_access(
    state: str,
    page: str,
    viewer: str,
    request_in: Callable[[str], PermissionRequest],
    request: pytest.FixtureRequest,
    browser: Any,
) -> None:
    permission_request = request_in(state)
    client = _client_for(viewer, request, browser)
    method, _path = PAGES[page]
    url = _url(page, permission_request)
    before = _state_of_everything()

    response = getattr(client, method)(url)

    if viewer == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
        assert _state_of_everything() == before
        return
    expected = EXPECTED[state][page].get(viewer, NOT_FOUND)
    if expected == NOT_FOUND:
        assert response.status_code == 404
        body = response.content.decode()
        assert permission_request.reference not in body
        assert permission_request.topic not in body
    elif expected == OK:
        assert response.status_code == 200
        if page == "attachment-download":
            assert response["Content-Disposition"].startswith("attachment;")
            assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")
        else:
            assert permission_request.reference in response.content.decode()
    elif expected == TO_DETAIL:
        assert response.status_code == 302
        assert response["Location"] == f"/requests/{permission_request.pk}/"
    elif expected == TO_EDIT:
        assert response.status_code == 302
        assert response["Location"] == f"/requests/{permission_request.pk}/edit/"
    else:
        assert expected == TO_NEW_DRAFT
        assert response.status_code == 302
        match = re.fullmatch(r"/requests/(\d+)/edit/", response["Location"])
        assert match is not None
        renewal = PermissionRequest.objects.get(pk=int(match.group(1)))
        assert renewal.renews_id == permission_request.pk
        assert renewal.status == "draft"
        return

    if viewer == "applicant" and page == "attachment-remove" and state == "draft":
        assert not permission_request.attachments.exists()
    else:
        assert _state_of_everything() == before


# What someone who may not act would post to each page that accepts a POST.
POSTS: dict[str, Callable[[ConductRule], dict[str, object]]] = {
    "request-edit": lambda rule: request_form_data(
        topic="Changed by someone else", submit="", declaration="on"
    ),
    "request-withdraw": lambda rule: {"reason": "Not wanted"},
    "request-renew": lambda rule: {},
    "request-decide": lambda rule: {"decision": "reject", "reason": "No", "rule": rule.pk},
    "request-revoke": lambda rule: {"reason": "No longer appropriate"},
    "attachment-remove": lambda rule: {},
}


@pytest.mark.parametrize("viewer", ["other_officer", "outsider", "auditor"])
@pytest.mark.parametrize("page", list(POSTS))
@pytest.mark.parametrize("state", ["pending", "approved"])
def test_posts_by_people_who_may_not_act_change_nothing(
    state: str,
    page: str,
    viewer: str,
    request_in: Callable[[str], PermissionRequest],
    request: pytest.FixtureRequest,
    browser: Any,
) -> None:
    permission_request = request_in(state)
    client = _client_for(viewer, request, browser)
    before = _state_of_everything()

    response = client.post(
        _url(page, permission_request), POSTS[page](ConductRule.objects.get(number="22"))
    )

    if viewer == "auditor" and page in {"request-decide", "request-revoke"}:
        # The auditor may read the request, so they are sent back to it with a reason.
        assert response.status_code == 302
        assert response["Location"] == f"/requests/{permission_request.pk}/"
        shown = client.get(response["Location"]).content.decode()
        assert "cannot be revoked by you" in shown or "not waiting for your decision" in shown
    else:
        assert response.status_code == 404
        assert permission_request.reference not in response.content.decode()
    assert _state_of_everything() == before


@pytest.mark.parametrize("viewer", ["other_officer", "outsider"])
def test_lists_never_show_other_peoples_requests(
    viewer: str,
    request_in: Callable[[str], PermissionRequest],
    request: pytest.FixtureRequest,
    browser: Any,
    reporting_officer,  # type: ignore[no-untyped-def]
) -> None:
    decided = request_in("approved")
    waiting = request_in("pending")
    client = _client_for(viewer, request, browser)
    for url in ["/requests/", "/inbox/", "/inbox/decided/"]:
        body = client.get(url).content.decode()
        assert decided.reference not in body
        assert waiting.reference not in body
    # The same lists do show them to the people concerned.
    officer_inbox = browser(reporting_officer).get("/inbox/").content.decode()
    assert waiting.reference in officer_inbox
    assert decided.reference in browser(reporting_officer).get("/inbox/decided/").content.decode()
