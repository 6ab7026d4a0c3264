"""A letter whose record was changed behind the portal's back: the public page says it
cannot be confirmed and whom to contact, shows nothing of the changed row but its
reference, and the auditors are told once, on the chain and through the outbox."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from permissions import workflow
from permissions.models import AuditEvent, ConductRule, Notification, PermissionRequest, User
from permissions.models.notifications import NotificationKind
from permissions.states import Action, Status
from permissions.verification.tokens import token_for
from tests.factories import submitted_request
from tests.helpers import days, fresh, today

from .conftest import HOME, Letter
from .test_letter_page import standing_of

pytestmark = pytest.mark.django_db

Visitor = Callable[..., Client]


def alerts(request: PermissionRequest) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(request=request, action=Action.INTEGRITY_MISMATCH))


def told(auditor: User, request: PermissionRequest) -> int:
    return Notification.objects.filter(
        recipient=auditor, request=request, kind=NotificationKind.INTEGRITY_ALERT
    ).count()


def test_valid_until_changed_in_sql_cannot_be_confirmed(
    letter: Letter, visitor: Visitor, auditor: User
) -> None:
    ten_years = today() + days(3650)
    # No trigger guards the requests' table: this is what a write in SQL does.
    PermissionRequest.objects.filter(pk=letter.request.pk).update(valid_until=ten_years)

    response = visitor().get(letter.url)

    assert response.status_code == 200
    assert standing_of(response) == "Cannot be confirmed"
    page = response.content.decode()
    assert "no longer matches its audit trail" in page
    assert "Contact the Establishment Division" in page
    assert letter.request.reference in page
    # Nothing of the changed row is shown as if it were true.
    assert ten_years.strftime("%-d %b %Y") not in page
    assert 'id="letter-details"' not in page
    assert escape(letter.request.outlet) not in page

    [event] = alerts(letter.request)
    assert event.data["noticed_by"] == "verification"
    assert event.ip_address == HOME
    assert event.actor is None
    assert told(auditor, letter.request) == 1


def test_a_rejection_turned_into_an_approval_in_sql_cannot_be_confirmed(
    servant: User, reporting_officer: User, auditor: User, visitor: Visitor
) -> None:
    request = submitted_request(servant)
    workflow.reject(
        request.pk,
        by=reporting_officer,
        reason="It would discuss a decision not yet announced.",
        rule=ConductRule.objects.get(number="22"),
    )
    PermissionRequest.objects.filter(pk=request.pk).update(
        status=Status.APPROVED, valid_from=today(), valid_until=today() + days(30)
    )
    # A letter made from the changed row: it has a token like any other.
    url = reverse("verify-letter", args=[token_for(fresh(request)).token])

    response = visitor().get(url)

    assert standing_of(response) == "Cannot be confirmed"
    assert len(alerts(request)) == 1
    assert told(auditor, request) == 1


def test_the_alert_is_raised_once_however_often_the_page_is_opened(
    letter: Letter, visitor: Visitor, auditor: User
) -> None:
    PermissionRequest.objects.filter(pk=letter.request.pk).update(valid_until=today() + days(3650))

    for address in (HOME, HOME, "198.51.100.20"):
        assert standing_of(visitor(address).get(letter.url)) == "Cannot be confirmed"

    assert len(alerts(letter.request)) == 1
    assert told(auditor, letter.request) == 1


def test_the_contact_is_the_one_the_settings_name(
    settings, letter: Letter, visitor: Visitor
) -> None:  # type: ignore[no-untyped-def]
    settings.INTEGRITY_CONTACT = "the Integrity Cell, Establishment Division (051-9103000)"
    PermissionRequest.objects.filter(pk=letter.request.pk).update(status=Status.REVOKED)

    page = visitor().get(letter.url).content.decode()

    assert "Contact the Integrity Cell, Establishment Division (051-9103000)" in page


def test_a_signed_in_visitor_is_named_on_the_alert(
    letter: Letter, browser: Callable[[User], Client], outsider: User
) -> None:
    PermissionRequest.objects.filter(pk=letter.request.pk).update(valid_until=today() + days(3650))

    browser(outsider).get(letter.url)

    [event] = alerts(letter.request)
    assert event.actor == outsider


def test_a_file_changed_on_disk_does_not_stop_the_page(
    letter: Letter, visitor: Visitor, auditor: User
) -> None:
    """The page reads no file's bytes (views._result says why): the download and the
    nightly sweep catch a changed file."""
    attachment = letter.request.attachments.get()
    with attachment.file.open("wb") as stream:
        stream.write(b"%PDF-1.4\n% something else entirely\n")

    assert standing_of(visitor().get(letter.url)) == "Valid"
    assert alerts(letter.request) == []
