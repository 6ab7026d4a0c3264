"""Every URL that changes something answers only POST: opened as a page (a link, a
prefetch, an image tag on another site) it is the portal's 405 and changes nothing, and a
POST without the form's CSRF token is the expired-form page, even from someone who may
use it. The URLs are found by walking the URL conf, so a new one cannot be missed."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from permissions import services
from permissions.audit import SYSTEM
from permissions.models import Attachment, Delegation, PermissionRequest, User
from tests.factories import draft_request
from tests.helpers import pass_second_factor

from .conftest import CSRF_HEADING, HEADINGS, assert_portal_error_page

# Left out of the walk, by URL namespace or name, and why.
EXCLUDED = {
    "admin": "Django's admin: its views are Django's, tested with the admin (tests/admin).",
    "csp-report": "Browsers post policy violation reports without a token: CSRF-exempt "
    "by design, and it changes nothing but the log.",
}


@dataclass(frozen=True)
class Objects:
    """One of each thing a state-changing URL acts on."""

    request: PermissionRequest
    attachment: Attachment
    delegation: Delegation


@dataclass(frozen=True)
class Use:
    """Who may use a URL (a fixture of tests/conftest.py), and its arguments."""

    person: str
    kwargs: Callable[[Objects], dict[str, Any]] = lambda objects: {}


def _register_entry(kind: str) -> Callable[[Objects], dict[str, Any]]:
    """An entry of the servant's register of accounts and groups that needs permission."""

    def make(objects: Objects) -> dict[str, Any]:
        from permissions.models import Platform
        from permissions.register.models import OnlineGroup, SocialAccount

        owner = objects.request.applicant
        if kind == "account":
            entry: Any = SocialAccount.objects.create(
                owner=owner,
                platform=Platform.objects.get(name="X (Twitter)"),
                handle="@office",
                capacity="official",
            )
        else:
            entry = OnlineGroup.objects.create(
                owner=owner,
                platform=Platform.objects.get(name="WhatsApp"),
                name="Section",
                purpose="Rosters.",
                size="50",
                role="administer",
            )
        return {"pk": entry.pk}

    return make


# Every state-changing URL of the portal. A new one must be added here.
STATE_CHANGING: dict[str, Use] = {
    "logout": Use("servant"),
    "session-keep-alive": Use("servant"),
    "delegation-create": Use("reporting_officer"),
    "delegation-end": Use("reporting_officer", lambda o: {"pk": o.delegation.pk}),
    "notifications-read": Use("servant"),
    "request-renew": Use("servant", lambda o: {"pk": o.request.pk}),
    "attachment-remove": Use(
        "servant", lambda o: {"pk": o.request.pk, "attachment_pk": o.attachment.pk}
    ),
    "register-confirm": Use("servant"),
    "language": Use("servant"),
    "register-accounts-permission": Use("servant", _register_entry("account")),
    "register-groups-permission": Use("servant", _register_entry("group")),
}


def _patterns(
    entries: list[URLPattern | URLResolver], namespace: str = "", route: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    """(name, route, pattern) of every URL pattern, names qualified by namespace."""
    for entry in entries:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            yield from _patterns(entry.url_patterns, inner, route + str(entry.pattern))
        else:
            name = ":".join(part for part in (namespace, entry.name or "") if part)
            yield name, route + str(entry.pattern), entry


def _excluded(name: str) -> bool:
    return name in EXCLUDED or name.split(":", 1)[0] in EXCLUDED


def portal_patterns() -> list[tuple[str, str, URLPattern]]:
    return [p for p in _patterns(get_resolver().url_patterns) if not _excluded(p[0])]


def declared_methods(view: Callable[..., Any]) -> frozenset[str] | None:
    """The HTTP methods a view answers, as its decorators or class declare them; None
    if it declares none. Reads the list that `require_http_methods` (and require_GET,
    require_POST) keeps in its closure, through every `functools.wraps` layer."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        methods = {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
        return frozenset(methods)
    layer: Any = view
    while layer is not None:
        code = getattr(layer, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = layer.__closure__[code.co_freevars.index("request_method_list")]
            return frozenset(cell.cell_contents)
        layer = getattr(layer, "__wrapped__", None)
    return None


def state_changing_names() -> set[str]:
    names = set()
    for name, _route, pattern in portal_patterns():
        methods = declared_methods(pattern.callback)
        if methods is not None and "POST" in methods and "GET" not in methods:
            names.add(name)
    return names


def test_every_view_of_the_portal_declares_the_methods_it_answers() -> None:
    undeclared = [
        f"{name or '(unnamed)'} at /{route}"
        for name, route, pattern in portal_patterns()
        if declared_methods(pattern.callback) is None
    ]
    assert not undeclared, (
        "These URLs' views do not say which methods they answer, so a GET could change "
        "something: decorate them with require_GET, require_POST or "
        f"require_http_methods: {', '.join(undeclared)}"
    )


def test_every_state_changing_url_is_in_the_table() -> None:
    found = state_changing_names()
    missing = sorted(found - STATE_CHANGING.keys())
    assert not missing, (
        f"New state-changing URLs {missing}: add each to STATE_CHANGING in {__name__} with "
        "who may use it and the arguments of its URL."
    )
    stale = sorted(STATE_CHANGING.keys() - found)
    assert not stale, f"{stale} no longer refuse GET or no longer exist: remove them."


def test_the_walk_finds_the_known_state_changing_urls() -> None:
    # The method detection itself: a POST-only view, a class-based one and a form page.
    assert {"attachment-remove", "logout"} <= state_changing_names()
    assert "request-decide" not in state_changing_names()


@pytest.fixture
def objects(servant: User, reporting_officer: User, countersigning_officer: User) -> Objects:
    draft = draft_request(servant, topic="Flood relief briefing")
    attachment = services.attachment_add(
        request=draft,
        by=servant,
        upload=SimpleUploadedFile("script.pdf", b"%PDF-1.4\n% script\n", "application/pdf"),
    )
    today = timezone.localdate()
    delegation = services.delegation_create(
        by=reporting_officer,
        to=countersigning_officer,
        starts=today,
        ends=today + datetime.timedelta(days=7),
        origin=SYSTEM,
    )
    return Objects(request=draft, attachment=attachment, delegation=delegation)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(STATE_CHANGING))
def test_a_state_changing_url_refuses_get_and_a_post_without_its_token(
    name: str, objects: Objects, request: pytest.FixtureRequest, settings: Any
) -> None:
    settings.DEBUG = False
    use = STATE_CHANGING[name]
    person: User = request.getfixturevalue(use.person)
    url = reverse(name, kwargs=use.kwargs(objects))
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    pass_second_factor(client, person)

    response = client.get(url)
    assert_portal_error_page(response, 405, HEADINGS[405])
    assert "GET" not in response["Allow"]

    response = client.post(url)
    assert_portal_error_page(response, 403, CSRF_HEADING)

    # The same POST with the token gets past the check: the 403 was the token's.
    token = get_random_string(32)
    client.cookies["csrftoken"] = token
    response = client.post(url, {"csrfmiddlewaretoken": token})
    assert response.status_code != 403
    assert CSRF_HEADING not in response.content.decode()
