"""Who gets what at every URL of the portal. The URLs are found by walking the URL conf,
so a new one fails here until its entry in tests/access/matrix.py says what each person
gets; each person then opens every URL, and a few of the actions that change something
are posted by everyone, to see that only those who may act change anything."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.crypto import get_random_string

from permissions.models import Attachment, AuditVerification, ConductRule, Delegation, Notification

from .matrix import (
    ADMIN,
    ADMIN_ROUTE,
    MATRIX,
    NOT_FOUND,
    PERSONAS,
    Objects,
    Outcome,
    Visit,
    expect,
    portal_urls,
    redirect,
    url_patterns,
    visit_all,
)

ClientOf = Callable[[str], Client]


def test_every_url_of_the_portal_has_an_entry() -> None:
    found = dict(portal_urls())
    missing = sorted(f"{key} (/{route})" for key, route in found.items() if key not in MATRIX)
    assert not missing, (
        f"No entry in the access matrix for {', '.join(missing)}. Add one to MATRIX in "
        "tests/access/matrix.py under the URL's name: what each persona gets when they open "
        "it (expect(), on_the_request(), auditors_only()) and, if its route takes "
        "arguments, which row of Objects they name."
    )
    stale = sorted(MATRIX.keys() - found.keys())
    assert not stale, f"{stale} are in the access matrix but no longer in the URL conf."


def test_the_walk_finds_urls_in_every_part_of_the_url_conf() -> None:
    keys = {key for key, _route in url_patterns()}
    # The portal, the console under it, the policy reports, and the admin's own.
    assert {"request-detail", "console-request", "csp-report", "admin:index"} <= keys
    # An unnamed pattern is known by its route.
    assert any(key.startswith(f"/{ADMIN_ROUTE}") for key in keys)


def test_the_admin_is_one_group_that_a_few_of_its_own_urls_stand_for() -> None:
    admin_routes = {key: route for key, route in url_patterns() if route.startswith(ADMIN_ROUTE)}
    assert len(admin_routes) > 50
    assert ADMIN.keys() <= admin_routes.keys()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_what_each_person_gets_at_every_url(
    persona: str, objects: Objects, client_of: ClientOf
) -> None:
    visits = visit_all(persona, client_of(persona), objects)

    wrong = [problem for visit in visits if (problem := visit.mismatch(objects))]
    assert not wrong, f"{len(wrong)} URLs answer {persona} wrongly:\n" + "\n".join(wrong)


# --- the actions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Act:
    """A POST that changes something, as its form sends it with a valid token: what each
    person gets, and whose POST changes `state` (nobody else's may)."""

    name: str
    kwargs: Callable[[Objects], dict[str, Any]]
    data: Callable[[Objects], dict[str, Any]]
    state: Callable[[Objects], object]
    outcomes: dict[str, Outcome]
    changed_by: frozenset[str]


def _steps(objects: Objects) -> object:
    pending = objects.pending
    pending.refresh_from_db()
    return (pending.status, tuple(pending.steps.order_by("pk").values_list("status", "acted_by")))


def _status(which: str) -> Callable[[Objects], object]:
    def state(objects: Objects) -> object:
        request = getattr(objects, which)
        request.refresh_from_db()
        return request.status

    return state


def _draft_attachment(objects: Objects) -> object:
    attachment = Attachment.objects.filter(pk=objects.draft_attachment.pk).first()
    return attachment is not None and attachment.file.storage.exists(attachment.file.name)


def _delegation_ended(objects: Objects) -> object:
    return Delegation.objects.get(pk=objects.delegation.pk).cancelled_at is not None


def _servants_unread(objects: Objects) -> object:
    return Notification.objects.filter(recipient=objects.servant, read_at=None).count()


def _verifications(objects: Objects) -> object:
    return AuditVerification.objects.count()


TO_PENDING = redirect("/requests/{pending}/")
TO_APPROVED = redirect("/requests/{approved}/")

# In this order: the servant withdraws the pending request only after trying to decide it.
ACTIONS = [
    Act(
        "request-decide",
        lambda o: {"pk": o.pending.pk},
        lambda o: {
            "decision": "reject",
            "reason": "It would discuss a decision not yet announced.",
            "rule": ConductRule.objects.get(number="22").pk,
        },
        _steps,
        # Those who may read it but not decide it are sent back to it, with the reason.
        expect(
            NOT_FOUND,
            servant=TO_PENDING,
            reporting_officer=redirect("/inbox/"),
            auditor=TO_PENDING,
        ),
        frozenset({"reporting_officer"}),
    ),
    Act(
        "request-revoke",
        lambda o: {"pk": o.approved.pk},
        lambda o: {"reason": "The programme's topic changed after approval."},
        _status("approved"),
        expect(
            NOT_FOUND,
            servant=TO_APPROVED,
            reporting_officer=TO_APPROVED,
            auditor=TO_APPROVED,
        ),
        frozenset({"reporting_officer"}),
    ),
    Act(
        "request-withdraw",
        lambda o: {"pk": o.pending.pk},
        lambda o: {"reason": "The programme was cancelled."},
        _status("pending"),
        expect(NOT_FOUND, servant=TO_PENDING),
        frozenset({"servant"}),
    ),
    Act(
        "attachment-remove",
        lambda o: {"pk": o.draft.pk, "attachment_pk": o.draft_attachment.pk},
        lambda o: {},
        _draft_attachment,
        expect(NOT_FOUND, servant=redirect("/requests/{draft}/edit/")),
        frozenset({"servant"}),
    ),
    Act(
        "delegation-end",
        lambda o: {"pk": o.delegation.pk},
        lambda o: {},
        _delegation_ended,
        expect(NOT_FOUND, reporting_officer=redirect("/profile/#delegations")),
        frozenset({"reporting_officer"}),
    ),
    # Everyone may mark their own read; only the servant's mark the servant's.
    Act(
        "notifications-read",
        lambda o: {},
        lambda o: {},
        _servants_unread,
        expect(redirect("/notifications/")),
        frozenset({"servant"}),
    ),
    Act(
        "console-verify",
        lambda o: {},
        lambda o: {},
        _verifications,
        expect(NOT_FOUND, auditor=redirect("/audit/verification/")),
        frozenset({"auditor"}),
    ),
]


def post_with_token(client: Client, url: str, data: dict[str, Any]) -> Any:
    """POST as the page's form would: with a CSRF token that matches the cookie, and
    the token checked, so that a refusal is never the token's."""
    client.handler.enforce_csrf_checks = True
    token = get_random_string(32)
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_only_those_who_may_act_change_anything(
    persona: str, objects: Objects, client_of: ClientOf
) -> None:
    client = client_of(persona)
    wrong = []
    for act in ACTIONS:
        url = reverse(act.name, kwargs=act.kwargs(objects))
        before = act.state(objects)

        response = post_with_token(client, url, act.data(objects))

        visit = Visit(
            name=act.name,
            url=url,
            persona=persona,
            expected=act.outcomes[persona],
            status=response.status_code,
            location=response.headers.get("Location"),
        )
        if problem := visit.mismatch(objects):
            wrong.append(f"POST {problem}")
        after = act.state(objects)
        if persona in act.changed_by and after == before:
            wrong.append(f"POST {url} ({act.name}) as {persona} changed nothing")
        if persona not in act.changed_by and after != before:
            wrong.append(f"POST {url} ({act.name}) as {persona} changed {before} to {after}")
    assert not wrong, f"{persona}'s actions went wrong:\n" + "\n".join(wrong)
