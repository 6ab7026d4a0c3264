"""Every page the named people reach carries the portal's Content-Security-Policy and
Permissions-Policy, and nothing in the page needs what that policy forbids."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from permissions import workflow
from permissions.console import dashboard
from permissions.models import PermissionRequest, User
from tests.factories import draft_request
from tests.helpers import pass_second_factor

pytestmark = pytest.mark.django_db

EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "report-uri": ["/csp-report/"],
}

SWITCHED_OFF = {
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "camera",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "screen-wake-lock",
    "serial",
    "usb",
    "window-management",
    "xr-spatial-tracking",
}

# Who opens which page; {pk} is a request pending with the reporting officer.
PAGES: list[tuple[str, str]] = [
    ("anonymous", "/login/"),
    ("servant", "/requests/"),
    ("servant", "/requests/new/"),
    ("servant", "/requests/{pk}/"),
    ("servant", "/requests/{pk}/withdraw/"),
    ("servant", "/profile/"),
    ("servant", "/profile/email/"),
    ("servant", "/notifications/"),
    ("servant", "/password/"),
    ("reporting_officer", "/inbox/"),
    ("reporting_officer", "/inbox/decided/"),
    ("reporting_officer", "/requests/{pk}/"),
    ("reporting_officer", "/requests/{pk}/decide/"),
    ("auditor", "/audit/"),
    ("auditor", "/audit/requests/"),
    ("auditor", "/audit/requests/{pk}/"),
    ("auditor", "/audit/log/"),
    ("auditor", "/audit/verification/"),
    ("superuser", "/admin/"),
    ("superuser", "/admin/permissions/permissionrequest/"),
]

# What a strict policy blocks: a <style> element, a style attribute (SVG's included), a
# <script> without src, an on...= handler, a javascript: URL.
INLINE = re.compile(
    r"<style[\s>]|\sstyle\s*=|<script(?![^>]*\ssrc=)[^>]*>|\son[a-z]+\s*=|javascript:",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    ("markup", "blocked"),
    [
        ("<script>go()</script>", True),
        ('<rect class="bar" style="fill: red"></rect>', True),
        ("<style>p {}</style>", True),
        ('<button onclick="go()">', True),
        ('<a href="javascript:go()">', True),
        ('<script src="/static/app.js" defer></script>', False),
        ('<link rel="stylesheet" href="/static/css/portal.css">', False),
        ('<div id="section-one" data-bs-toggle="collapse">', False),
    ],
)
def test_the_check_for_inline_markup_tells_blocked_from_allowed(markup: str, blocked: bool) -> None:
    assert (INLINE.search(markup) is not None) is blocked


def parse_csp(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        assert name not in directives, f"{name} given twice"
        directives[name] = values
    return directives


def parse_permissions_policy(header: str) -> dict[str, str]:
    features: dict[str, str] = {}
    for part in header.split(","):
        name, _, allow = part.strip().partition("=")
        features[name] = allow
    return features


def assert_policies(response: object) -> None:
    assert parse_csp(response["Content-Security-Policy"]) == EXPECTED_CSP  # type: ignore[index]
    features = parse_permissions_policy(response["Permissions-Policy"])  # type: ignore[index]
    assert features == dict.fromkeys(SWITCHED_OFF, "()")


@pytest.fixture
def pending(servant: User, reporting_officer: User) -> PermissionRequest:
    draft = draft_request(servant, topic="Flood relief briefing")
    workflow.submit(draft.pk, by=servant, declaration=True)
    return PermissionRequest.objects.get(pk=draft.pk)


@pytest.fixture
def client_of(
    request: pytest.FixtureRequest, browser: Callable[[User], Client]
) -> Callable[[str], Client]:
    def _client(person: str) -> Client:
        if person == "anonymous":
            return Client()
        if person == "superuser":
            client = Client()
            superuser = request.getfixturevalue("superuser")
            client.force_login(superuser)
            return pass_second_factor(client, superuser)
        return browser(request.getfixturevalue(person))

    return _client


@pytest.mark.parametrize(("person", "url"), PAGES)
def test_every_page_carries_both_policies_and_needs_nothing_inline(
    person: str,
    url: str,
    pending: PermissionRequest,
    auditor: User,
    client_of: Callable[[str], Client],
) -> None:
    response = client_of(person).get(url.format(pk=pending.pk))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert_policies(response)
    html = response.content.decode()
    blocked = [match.group(0) for match in INLINE.finditer(html)]
    assert blocked == [], f"{url} has markup the policy blocks: {blocked}"


def test_the_console_charts_draw_without_inline_styles(
    pending: PermissionRequest, auditor: User, client_of: Callable[[str], Client]
) -> None:
    dashboard.refresh()  # as beat does: without a worker here, a visit would only ask
    html = client_of("auditor").get("/audit/").content.decode()

    assert "<svg" in html
    assert 'class="console-chart-bar"' in html
    assert INLINE.search(html) is None


def test_htmx_is_told_not_to_insert_its_indicator_styles(
    client_of: Callable[[str], Client],
) -> None:
    html = client_of("anonymous").get("/login/").content.decode()

    assert "htmx" in html
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles":false""" in html


@pytest.mark.parametrize(
    ("person", "url", "status"),
    [
        ("anonymous", "/requests/", 302),
        ("servant", "/no-such-page/", 404),
        ("servant", "/requests/999999/", 404),
    ],
)
def test_redirects_and_refusals_carry_both_policies_too(
    person: str,
    url: str,
    status: int,
    servant: User,
    client_of: Callable[[str], Client],
) -> None:
    response = client_of(person).get(url)

    assert response.status_code == status
    assert_policies(response)
    assert INLINE.search(response.content.decode()) is None


def test_the_static_files_carry_the_permissions_policy(client: Client) -> None:
    response = client.get("/static/css/portal.css")

    assert response.status_code == 200
    features = parse_permissions_policy(response["Permissions-Policy"])
    assert set(features) == SWITCHED_OFF
