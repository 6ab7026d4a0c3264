"""Who may open each page of the audit console: auditors only. Anyone else signed in
gets the 404 of a page that does not exist, and learns nothing; anonymous visitors are
sent to sign in. Nothing anyone does here changes a request."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern

from permissions import workflow
from permissions.console.urls import urlpatterns
from permissions.models import AuditEvent, AuditVerification, PermissionRequest, User
from tests.factories import submitted_request

from .conftest import Browser

pytestmark = pytest.mark.django_db

# Every page of the console: how a browser reaches it.
PAGES: dict[str, tuple[str, str]] = {
    "audit-console": ("get", "/audit/"),
    "console-requests": ("get", "/audit/requests/"),
    "console-requests-csv": ("get", "/audit/requests/export.csv"),
    "console-requests-xlsx": ("get", "/audit/requests/export.xlsx"),
    "console-request": ("get", "/audit/requests/{pk}/"),
    "console-audit-log": ("get", "/audit/log/"),
    "console-audit-log-csv": ("get", "/audit/log/export.csv"),
    "console-audit-log-xlsx": ("get", "/audit/log/export.xlsx"),
    "console-verification": ("get", "/audit/verification/"),
    "console-verify": ("get", "/audit/verification/run/"),
    "console-verify-run": ("post", "/audit/verification/run/"),
}

VIEWERS = ["anonymous", "servant", "reporting_officer", "outsider", "auditor"]

CONTENT_TYPES = {
    "console-requests-csv": "text/csv; charset=utf-8",
    "console-audit-log-csv": "text/csv; charset=utf-8",
    "console-requests-xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "console-audit-log-xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@pytest.fixture
def decided(servant: User, reporting_officer: User) -> PermissionRequest:
    request = submitted_request(servant, topic="Flood relief briefing")
    return workflow.approve(request.pk, by=reporting_officer)


def _client(viewer: str, request: pytest.FixtureRequest, browser: Browser) -> Client:
    if viewer == "anonymous":
        return Client()
    return browser(request.getfixturevalue(viewer))


def _state() -> tuple[Any, ...]:
    return (
        tuple(
            PermissionRequest.objects.order_by("pk").values_list(
                "pk", "status", "topic", "valid_until", "decision_reason"
            )
        ),
        AuditVerification.objects.count(),
    )


def test_every_console_page_is_in_the_matrix() -> None:
    names = {pattern.name for pattern in urlpatterns if isinstance(pattern, URLPattern)}
    assert names == {name for name in PAGES if name != "console-verify-run"}


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("page", list(PAGES))
def test_access(
    page: str,
    viewer: str,
    decided: PermissionRequest,
    request: pytest.FixtureRequest,
    browser: Browser,
) -> None:
    client = _client(viewer, request, browser)
    method, path = PAGES[page]
    url = path.format(pk=decided.pk)
    before = _state()
    exports_before = AuditEvent.objects.filter(action="export").count()

    response = getattr(client, method)(url)

    if viewer == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
        assert _state() == before
    elif viewer != "auditor":
        assert response.status_code == 404
        body = response.content.decode()
        assert decided.reference not in body
        assert decided.topic not in body
        assert "Audit console" not in body
        assert _state() == before
    elif page == "console-verify-run":
        assert response.status_code == 302
        assert response["Location"] == "/audit/verification/"
        assert AuditVerification.objects.count() == before[1] + 1
        assert _state()[0] == before[0]
    else:
        assert response.status_code == 200
        if page in CONTENT_TYPES:
            assert response["Content-Type"] == CONTENT_TYPES[page]
            assert response["Content-Disposition"].startswith("attachment;")
            b"".join(response.streaming_content)
        else:
            assert "Audit console" in response.content.decode()
        assert _state() == before
    exported = AuditEvent.objects.filter(action="export").count() - exports_before
    assert exported == (1 if viewer == "auditor" and page in CONTENT_TYPES else 0)


@pytest.mark.parametrize(
    "path",
    [
        "/audit/",
        "/audit/requests/",
        "/audit/requests/{pk}/",
        "/audit/log/",
        "/audit/requests/export.csv",
        "/audit/log/export.xlsx",
        "/audit/verification/",
    ],
)
def test_auditors_only_read(path: str, decided: PermissionRequest, auditor_browser: Client) -> None:
    before = _state()
    response = auditor_browser.post(path.format(pk=decided.pk), {"status": "revoked"})
    assert response.status_code == 405
    assert _state() == before


def test_a_request_that_does_not_exist_is_a_404(auditor_browser: Client) -> None:
    assert auditor_browser.get("/audit/requests/999999/").status_code == 404


def test_the_main_navigation_marks_the_console_on_every_console_page(
    auditor_browser: Client, decided: PermissionRequest
) -> None:
    for path, section in [
        ("/audit/", "Dashboard"),
        ("/audit/requests/", "Requests"),
        (f"/audit/requests/{decided.pk}/", "Requests"),
        ("/audit/log/", "Audit log"),
        ("/audit/verification/", "Verification"),
    ]:
        html = auditor_browser.get(path).content.decode()
        assert (
            'class="nav-link active" aria-current="page" href="/audit/">Audit console' in html
            or ('class="nav-link active" aria-current="true" href="/audit/">Audit console' in html)
        )
        sections = html[html.index('aria-label="Audit console sections"') :]
        sections = sections[: sections.index("</nav>")]
        active = sections[sections.index("nav-link active") :]
        assert f">{section}</a>" in active[: active.index("</a>") + 4]
