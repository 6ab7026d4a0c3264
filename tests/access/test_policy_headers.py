"""Every page the portal answers carries its Content-Security-Policy and Permissions-Policy:
every HTML response over the access matrix's URLs, for every persona (redirects and
refusals included), and the 403, 404, 405 and expired-form pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse

from permissions.models import User
from tests.factories import UserFactory

from .matrix import PERSONAS, Objects, visit_all

# What the policy must say, whatever else it says.
CSP_DIRECTIVES = ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'")
# The URLs that answer with a file rather than a page (each with a policy of its own or
# none needed): everything else must be HTML, and is checked.
FILES = {
    "attachment-download",
    "console-requests-csv",
    "console-requests-xlsx",
    "console-audit-log-csv",
    "console-audit-log-xlsx",
    "export-download",
    "second-factor-qr",
    "letter-download",
}


def is_html(headers: Mapping[str, str]) -> bool:
    return headers.get("Content-Type", "").startswith("text/html")


def missing_policies(headers: Mapping[str, str]) -> list[str]:
    """What the response lacks of the two policies."""
    missing = []
    policy = headers.get("Content-Security-Policy")
    if policy is None:
        missing.append("Content-Security-Policy")
    else:
        directives = {part.strip() for part in policy.split(";")}
        missing.extend(f"CSP {wanted}" for wanted in CSP_DIRECTIVES if wanted not in directives)
    if not headers.get("Permissions-Policy"):
        missing.append("Permissions-Policy")
    return missing


@pytest.mark.parametrize(
    ("headers", "missing"),
    [
        (
            {
                "Content-Security-Policy": "default-src 'self'; object-src 'none'; "
                "frame-ancestors 'none'",
                "Permissions-Policy": "camera=()",
            },
            [],
        ),
        ({"Permissions-Policy": "camera=()"}, ["Content-Security-Policy"]),
        (
            {
                "Content-Security-Policy": "default-src 'self'; frame-ancestors 'self'",
                "Permissions-Policy": "",
            },
            ["CSP object-src 'none'", "CSP frame-ancestors 'none'", "Permissions-Policy"],
        ),
    ],
)
def test_the_check_names_what_is_missing(headers: dict[str, str], missing: list[str]) -> None:
    assert missing_policies(headers) == missing


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_html_response_over_the_matrix_carries_both_policies(
    persona: str, objects: Objects, client_of: Callable[[str], Client]
) -> None:
    visits = visit_all(persona, client_of(persona), objects)
    html = [visit for visit in visits if is_html(visit.headers)]

    # Files and exports aside, every URL answers with a page or a redirect.
    assert {visit.name for visit in visits if not is_html(visit.headers)} <= FILES
    lacking = [
        f"{visit.url} ({visit.name}, {visit.status}): no {', '.join(missing)}"
        for visit in html
        if (missing := missing_policies(visit.headers))
    ]
    assert not lacking, f"Responses to {persona} without the policies:\n" + "\n".join(lacking)


@pytest.fixture
def staff_without_rights() -> User:
    """Staff who may sign in to the admin but were given no model's rights."""
    return cast(User, UserFactory(username="clerk", is_staff=True, bps=None, organisation=None))


def _assert_policies(response: Any, status: int) -> str:
    assert response.status_code == status
    assert is_html(response.headers)
    assert missing_policies(response.headers) == []
    return str(response.content.decode())


@pytest.mark.django_db
def test_the_error_pages_carry_both_policies(
    objects: Objects,
    client_of: Callable[[str], Client],
    browser: Callable[[User], Client],
    staff_without_rights: User,
) -> None:
    outsider = client_of("outsider")
    _assert_policies(outsider.get(reverse("request-detail", args=[objects.pending.pk])), 404)
    _assert_policies(outsider.get("/no-such-page/"), 404)
    _assert_policies(Client().get("/no-such-page/"), 404)
    _assert_policies(outsider.get(reverse("logout")), 405)
    _assert_policies(Client().get(reverse("csp-report")), 405)

    # The admin refuses a member of staff a list they have no right to.
    _assert_policies(browser(staff_without_rights).get("/admin/permissions/user/"), 403)

    # A form sent without its token is the expired-form page, a 403 of its own.
    servant = client_of("servant")
    servant.handler.enforce_csrf_checks = True
    page = _assert_policies(servant.post(reverse("notifications-read")), 403)
    assert "The form has expired" in page
    page = _assert_policies(Client(enforce_csrf_checks=True).post(reverse("login")), 403)
    assert "The form has expired" in page
