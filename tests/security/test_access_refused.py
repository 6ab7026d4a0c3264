"""A signed-in person refused a request page gets the same 404 whether or not the request
exists, and the attempt is one "access.denied" event, linked to the request when there
is one so that it shows on the request's timeline for the auditor."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, resolve, reverse

from permissions import services, workflow
from permissions.middleware import AccessRefusedAuditMiddleware
from permissions.models import AuditEvent, PermissionRequest, User
from permissions.urls import urlpatterns
from tests.factories import PASSWORD, draft_request
from tests.helpers import pass_second_factor

from .conftest import CLIENT_IP, FROM_BROWSER, USER_AGENT, assert_chain_intact, events, only_event

pytestmark = pytest.mark.django_db

# Every page of one request, and how a browser reaches it (the POST-only ones by POST).
PAGES: dict[str, tuple[str, str]] = {
    "request-detail": ("get", "/requests/{pk}/"),
    "request-edit": ("post", "/requests/{pk}/edit/"),
    "request-withdraw": ("post", "/requests/{pk}/withdraw/"),
    "request-renew": ("post", "/requests/{pk}/renew/"),
    "request-decide": ("get", "/requests/{pk}/decide/"),
    "request-revoke": ("get", "/requests/{pk}/revoke/"),
    "attachment-download": ("get", "/requests/{pk}/attachments/{attachment}/"),
    "attachment-remove": ("post", "/requests/{pk}/attachments/{attachment}/remove/"),
}
MISSING_PK = 987_654


@pytest.fixture
def pending(servant: User) -> PermissionRequest:
    """A request of `servant` waiting for the reporting officer, with one attachment."""
    draft = draft_request(servant, topic="Flood relief briefing")
    services.attachment_add(
        request=draft,
        by=servant,
        upload=SimpleUploadedFile("script.pdf", b"%PDF-1.4\n% script\n", "application/pdf"),
    )
    return workflow.submit(draft.pk, by=servant, declaration=True)


@pytest.fixture
def signed_in() -> Callable[[User], Client]:
    def _sign_in(user: User) -> Client:
        client = Client(**FROM_BROWSER)
        response = client.post("/login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302
        return pass_second_factor(client, user)

    return _sign_in


def _url(page: str, pk: int, attachment: int) -> str:
    return PAGES[page][1].format(pk=pk, attachment=attachment)


def test_every_page_of_a_request_is_covered() -> None:
    with_request_pk = {
        pattern.name
        for pattern in urlpatterns
        if isinstance(pattern, URLPattern) and str(pattern.pattern).startswith("requests/<int:pk>/")
    }
    assert with_request_pk == set(PAGES)


@pytest.mark.parametrize("page", list(PAGES))
def test_an_outsider_refused_a_request_page_is_recorded(
    page: str,
    pending: PermissionRequest,
    outsider: User,
    signed_in: Callable[[User], Client],
) -> None:
    client = signed_in(outsider)
    method = PAGES[page][0]
    attachment = pending.attachments.get().pk
    url = _url(page, pending.pk, attachment)

    response = getattr(client, method)(url)

    assert response.status_code == 404
    body = response.content.decode()
    assert pending.reference not in body and pending.topic not in body
    event = only_event("access.denied")
    assert event.actor == outsider
    assert event.request == pending
    assert event.data == {
        "path": url,
        "method": method.upper(),
        "status": 404,
        "request_id": pending.pk,
    }
    assert event.ip_address == CLIENT_IP
    assert event.user_agent == USER_AGENT
    assert event.from_status == event.to_status == ""
    assert_chain_intact()


@pytest.mark.parametrize("page", list(PAGES))
def test_a_request_that_does_not_exist_gets_the_same_404_and_is_recorded_unlinked(
    page: str,
    pending: PermissionRequest,
    outsider: User,
    signed_in: Callable[[User], Client],
) -> None:
    """Trying ids that do not exist is how someone would look for requests, so it is
    recorded as well; the event names the address, and no request."""
    client = signed_in(outsider)
    method = PAGES[page][0]
    attachment = pending.attachments.get().pk
    refused = getattr(client, method)(_url(page, pending.pk, attachment))

    missing_url = _url(page, MISSING_PK, attachment)
    missing = getattr(client, method)(missing_url)

    assert missing.status_code == refused.status_code == 404
    # Identical but for the form tokens and the session clock (see _without_token).
    assert _without_token(missing.content) == _without_token(refused.content)
    assert missing.headers.keys() == refused.headers.keys()
    first, second = events("access.denied")
    assert first.request == pending
    assert second.request is None
    assert second.actor == outsider
    assert second.data == {
        "path": missing_url,
        "method": method.upper(),
        "status": 404,
        "request_id": None,
    }
    assert_chain_intact()


def test_an_id_too_large_for_the_database_is_recorded_unlinked(
    outsider: User, signed_in: Callable[[User], Client]
) -> None:
    url = f"/requests/{10**30}/"

    assert signed_in(outsider).get(url).status_code == 404

    event = only_event("access.denied")
    assert event.request is None
    assert event.data["path"] == url and event.data["request_id"] is None
    assert_chain_intact()


@pytest.mark.parametrize(
    "url",
    [
        "/requests/abc/",
        "/requests/12/nonsense/",
        "/requests/new/typo/",
        "/request/12/",
        "/nowhere/",
    ],
)
def test_a_mistyped_address_records_nothing(
    url: str, outsider: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(outsider)

    assert client.get(url).status_code == 404
    assert not events("access.denied")


def test_a_404_outside_the_request_pages_records_nothing(
    servant: User, signed_in: Callable[[User], Client]
) -> None:
    """Someone else's notification or delegation, or an address that names no page: a
    404 there is not an attempt on a request."""
    client = signed_in(servant)

    assert client.get(f"/notifications/{MISSING_PK}/").status_code == 404
    assert client.post(f"/profile/delegations/{MISSING_PK}/end/").status_code == 404
    assert client.get("/audit/no-such-page/").status_code == 404
    assert not events("access.denied")


@pytest.mark.parametrize("path", ["/audit/", "/audit/log/export.csv", "/audit/requests/1/"])
def test_a_servant_trying_the_audit_console_is_recorded(
    servant: User, signed_in: Callable[[User], Client], path: str
) -> None:
    """The console is answered with a plain 404, but the try is the auditors' business."""
    response = signed_in(servant).get(path, REMOTE_ADDR=CLIENT_IP)

    assert response.status_code == 404
    event = only_event("access.denied")
    assert (event.actor, event.request) == (servant, None)
    assert event.data == {"path": path, "method": "GET", "status": 404, "request_id": None}
    assert event.ip_address == CLIENT_IP


def test_anonymous_visitors_are_sent_to_sign_in_and_not_recorded(
    pending: PermissionRequest,
) -> None:
    response = Client(**FROM_BROWSER).get(f"/requests/{pending.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert not AuditEvent.objects.filter(action="access.denied").exists()


def test_people_who_may_see_the_request_are_not_recorded(
    pending: PermissionRequest,
    servant: User,
    reporting_officer: User,
    auditor: User,
    signed_in: Callable[[User], Client],
) -> None:
    for person in (servant, reporting_officer, auditor):
        assert signed_in(person).get(f"/requests/{pending.pk}/").status_code == 200
    assert signed_in(reporting_officer).get(f"/requests/{pending.pk}/decide/").status_code == 200
    assert not events("access.denied")


def test_an_officer_refused_a_page_they_may_not_use_is_recorded(
    pending: PermissionRequest, reporting_officer: User, signed_in: Callable[[User], Client]
) -> None:
    """The officer may read the request but not edit it: the edit page is a 404 for
    them, and a refusal like any other."""
    response = signed_in(reporting_officer).get(f"/requests/{pending.pk}/edit/")

    assert response.status_code == 404
    event = only_event("access.denied")
    assert event.actor == reporting_officer
    assert event.request == pending


def test_another_requests_attachment_reached_through_ones_own_request_is_recorded(
    pending: PermissionRequest, outsider: User, signed_in: Callable[[User], Client]
) -> None:
    own = draft_request(outsider)
    not_theirs = pending.attachments.get().pk

    response = signed_in(outsider).get(f"/requests/{own.pk}/attachments/{not_theirs}/")

    assert response.status_code == 404
    event = only_event("access.denied")
    assert event.request == own
    assert event.data["path"] == f"/requests/{own.pk}/attachments/{not_theirs}/"


def test_the_auditor_sees_the_attempt_on_the_requests_record_and_its_people_do_not(
    pending: PermissionRequest,
    outsider: User,
    auditor: User,
    servant: User,
    signed_in: Callable[[User], Client],
) -> None:
    signed_in(outsider).get(f"/requests/{pending.pk}/")

    record = signed_in(auditor).get(reverse("console-request", args=[pending.pk]))
    applicants_page = signed_in(servant).get(f"/requests/{pending.pk}/")

    assert "Access refused" in record.content.decode()
    assert outsider.get_full_name() in record.content.decode()
    assert applicants_page.status_code == 200
    assert "Access refused" not in applicants_page.content.decode()
    assert outsider.get_full_name() not in applicants_page.content.decode()


def test_a_403_of_a_signed_in_person_is_recorded(admin_browser: Client, superuser: User) -> None:
    """Requests are read-only in the admin: asking to add one is refused with a 403."""
    url = "/admin/permissions/permissionrequest/add/"

    assert admin_browser.get(url).status_code == 403

    event = only_event("access.denied")
    assert event.actor == superuser
    assert event.request is None
    assert event.data == {"path": url, "method": "GET", "status": 403, "request_id": None}
    assert event.ip_address == CLIENT_IP
    assert_chain_intact()


def test_a_403_on_a_request_page_links_the_request(
    pending: PermissionRequest, outsider: User, rf: RequestFactory
) -> None:
    http_request = rf.get(f"/requests/{pending.pk}/", **FROM_BROWSER)
    http_request.user = outsider
    http_request.resolver_match = resolve(http_request.path)
    middleware = AccessRefusedAuditMiddleware(lambda request: HttpResponse())

    assert middleware.process_exception(http_request, PermissionDenied()) is None

    event = only_event("access.denied")
    assert event.request == pending
    assert event.data["status"] == 403
    assert_chain_intact()


def test_other_errors_are_not_refusals(
    pending: PermissionRequest, outsider: User, rf: RequestFactory
) -> None:
    http_request = rf.get(f"/requests/{pending.pk}/")
    http_request.user = outsider
    http_request.resolver_match = resolve(http_request.path)

    middleware = AccessRefusedAuditMiddleware(lambda request: HttpResponse())

    assert middleware.process_exception(http_request, ValueError("a bug, not a refusal")) is None

    assert not events("access.denied")


def _without_token(content: bytes) -> bytes:
    """The page without what differs between any two responses: the form tokens, and
    the seconds the session has left, which count down between the two."""
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)
    return re.sub(rb'data-(idle|lifetime)-seconds="\d+"', b"", content)
