"""Who may download a request's letter, what each download leaves on the audit chain,
and how a letter that no longer stands comes marked."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils.dateformat import format as date_format

from permissions import workflow
from permissions.models import AuditEvent, ConductRule, PermissionRequest, User
from permissions.states import Action
from tests.factories import submitted_request
from tests.helpers import at, days, fresh, today

from .conftest import pages, words

pytestmark = pytest.mark.django_db

Browser = Callable[[User], Client]


def url_of(request: PermissionRequest) -> str:
    return reverse("letter-download", args=[request.pk])


def downloads() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.LETTER_DOWNLOADED).order_by("pk"))


def test_the_applicant_the_officers_on_the_chain_and_an_auditor_download_it(
    granted: PermissionRequest,
    browser: Browser,
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
    auditor: User,
) -> None:
    for person in [servant, reporting_officer, countersigning_officer, auditor]:
        response = browser(person).get(url_of(granted))

        assert response.status_code == 200, person
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'attachment; filename="{granted.reference}-permission.pdf"'
        )
        assert response["Cache-Control"] == "no-store, private"
        assert response.content.startswith(b"%PDF-")
        # Each download on the chain: who, which request, and which bytes they got.
        event = downloads()[-1]
        assert (event.actor_id, event.request_id) == (person.pk, granted.pk)
        assert event.data == {
            "standing": "valid",
            "sha256": hashlib.sha256(response.content).hexdigest(),
        }
    assert len(downloads()) == 4


def test_anyone_else_finds_no_letter_and_nobody_signed_out_is_sent_to_sign_in(
    granted: PermissionRequest, browser: Browser, outsider: User, other_officer: User
) -> None:
    for person in [outsider, other_officer]:
        assert browser(person).get(url_of(granted)).status_code == 404, person

    response = Client().get(url_of(granted))
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url_of(granted)}"
    assert downloads() == []


def test_a_request_never_granted_has_no_letter(
    servant: User, reporting_officer: User, browser: Browser
) -> None:
    pending = submitted_request(servant)
    rejected = submitted_request(servant)
    workflow.reject(
        rejected.pk,
        by=reporting_officer,
        reason="Embarrassing to the Government.",
        rule=ConductRule.objects.get(number="22"),
    )

    for request in [pending, rejected]:
        assert browser(servant).get(url_of(request)).status_code == 404
    assert browser(servant).get(reverse("letter-download", args=[999_999])).status_code == 404
    assert downloads() == []


def test_the_letter_is_only_ever_read_never_changed_by_a_post(
    granted: PermissionRequest, browser: Browser, servant: User
) -> None:
    assert browser(servant).post(url_of(granted)).status_code == 405
    assert downloads() == []


def test_a_revoked_permission_comes_marked_with_the_day_and_the_reasons(
    granted: PermissionRequest, browser: Browser, servant: User, reporting_officer: User
) -> None:
    workflow.revoke(granted.pk, by=reporting_officer, reason="The programme was cancelled.")
    response = browser(servant).get(url_of(granted))

    assert response.status_code == 200
    text = words(response.content)
    revoked_on = date_format(today(), "jS F, Y")
    assert f"Revoked on {revoked_on}: this permission no longer stands." in text
    assert "Reasons: The programme was cancelled." in text
    assert "REVOKED" in text  # across the page
    assert ": valid." not in text
    assert pages(response.content) == 1
    assert downloads()[-1].data["standing"] == "revoked"


def test_a_permission_past_its_last_day_comes_marked_expired(
    granted: PermissionRequest, browser: Browser, servant: User
) -> None:
    last_day = fresh(granted).valid_until
    assert last_day is not None
    # Before the hourly job marks it expired: the letter goes by the day, not the job.
    with time_machine.travel(at(last_day + days(1)), tick=False):
        response = browser(servant).get(url_of(granted))

    text = words(response.content)
    assert f"Expired: this permission ended on {date_format(last_day, 'jS F, Y')}." in text
    assert ": valid." not in text
    assert downloads()[-1].data["standing"] == "expired"


def test_a_record_changed_behind_the_portals_back_cannot_be_confirmed(
    granted: PermissionRequest, browser: Browser, servant: User
) -> None:
    PermissionRequest.objects.filter(pk=granted.pk).update(valid_until=today() + days(3650))
    response = browser(servant).get(url_of(granted))

    text = words(response.content)
    assert "Cannot be confirmed: do not rely on this letter." in text
    assert (
        "The portal's record of this permission no longer matches its audit trail. "
        "Contact the Establishment Division." in text
    )
    assert ": valid." not in text
    assert "cannot be confirmed." in text
    assert downloads()[-1].data["standing"] == "unconfirmed"
    # The check told the auditors, and said the letter's download found it.
    alert = AuditEvent.objects.get(action=Action.INTEGRITY_MISMATCH)
    assert alert.data["noticed_by"] == "letter"
    assert alert.actor_id == servant.pk


def test_a_letter_that_cannot_be_confirmed_names_the_contact_set_for_it(
    granted: PermissionRequest, browser: Browser, servant: User, settings: Any
) -> None:
    settings.INTEGRITY_CONTACT = "the Media Cell, Establishment Division (051-9103344)"
    PermissionRequest.objects.filter(pk=granted.pk).update(conditions=[])

    text = words(browser(servant).get(url_of(granted)).content)

    assert "Contact the Media Cell, Establishment Division (051-9103344)." in text


def test_the_request_page_offers_the_letter_once_granted_and_says_when_it_is_marked(
    granted: PermissionRequest, browser: Browser, servant: User, reporting_officer: User
) -> None:
    pending = submitted_request(servant)
    client = browser(servant)
    link = f'href="{url_of(granted)}"'

    page = client.get(reverse("request-detail", args=[granted.pk])).content.decode()
    assert link in page
    assert "Download the permission letter (PDF, one A4 page)" in page
    page = client.get(reverse("request-detail", args=[pending.pk])).content.decode()
    assert "Download the permission letter" not in page

    workflow.revoke(granted.pk, by=reporting_officer, reason="Cancelled.")
    page = client.get(reverse("request-detail", args=[granted.pk])).content.decode()
    assert "Download the permission letter (PDF, one A4 page, marked revoked)" in page


def test_a_mismatch_is_raised_once_however_often_the_letter_is_downloaded(
    granted: PermissionRequest, browser: Browser, servant: User
) -> None:
    PermissionRequest.objects.filter(pk=granted.pk).update(valid_until=today() + days(3650))
    client = browser(servant)
    for _ in range(2):
        assert client.get(url_of(granted)).status_code == 200

    assert len(downloads()) == 2
    assert AuditEvent.objects.filter(action=Action.INTEGRITY_MISMATCH).count() == 1
