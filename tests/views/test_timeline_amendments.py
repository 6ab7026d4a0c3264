"""A request's timeline says what the applicant changed between a return and the
resubmission that follows, in one entry per resubmission, to everyone on the request."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst

from permissions import audit, services, workflow
from permissions.models import AuditEvent, PermissionRequest, User
from permissions.states import Action, Status
from tests.factories import platform, submitted_request
from tests.helpers import PDF, fresh, page_queries

from .conftest import local_input, request_form_data, section

pytestmark = pytest.mark.django_db

Browser = Callable[[User], Client]


def _timeline_text(client: Client, url: str) -> str:
    """The page's timeline as a person reads it: tags dropped, spaces collapsed."""
    response = client.get(url)
    assert response.status_code == 200
    html = section(response.content.decode(), "Timeline")
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _label(name: str) -> str:
    """A field's name as the timeline gives it: the form's label."""
    return capfirst(str(getattr(PermissionRequest._meta.get_field(name), "verbose_name", name)))


def _shown_at(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def _returned(servant: User, officer: User, **overrides: object) -> PermissionRequest:
    request = submitted_request(servant, **overrides)
    workflow.return_for_clarification(request.pk, by=officer, reason="Say which programme.")
    return fresh(request)


def _amend(request: PermissionRequest, by: User, **data: Any) -> None:
    services.request_update(request=fresh(request), by=by, data=data, origin=audit.SYSTEM)


def test_amendments_before_a_resubmission_are_one_entry_saying_what_changed(
    browser: Browser, servant: User, reporting_officer: User, auditor: User
) -> None:
    request = _returned(servant, reporting_officer, topic="Digital services")
    old_event_at = fresh(request).event_at
    assert old_event_at is not None
    new_event_at = timezone.localtime(old_event_at + datetime.timedelta(days=2)).replace(
        hour=18, minute=30, second=0, microsecond=0
    )
    applicant = browser(servant)
    edit = f"/requests/{request.pk}/edit/"

    # Two fields changed through the form, a file attached, then resubmitted.
    response = applicant.post(
        edit,
        request_form_data(
            topic="Digital services for citizens", event_at=local_input(new_event_at), save=""
        ),
    )
    assert response.status_code == 302
    services.attachment_add(request=fresh(request), by=servant, upload=_pdf("programme.pdf"))
    response = applicant.post(
        edit,
        request_form_data(
            topic="Digital services for citizens",
            event_at=local_input(new_event_at),
            submit="",
            declaration="on",
        ),
    )
    assert response.status_code == 302
    assert fresh(request).status == Status.PENDING

    # The audit trail keeps each change (two amendments) ...
    assert AuditEvent.objects.filter(request=request, action=Action.AMEND).count() == 2
    # ... and the page shows them as one entry, to the servant, the deciding officer
    # and the auditor alike.
    pages = {
        "servant": (applicant, f"/requests/{request.pk}/"),
        "officer": (browser(reporting_officer), f"/requests/{request.pk}/decide/"),
        "auditor": (browser(auditor), f"/requests/{request.pk}/"),
    }
    for client, url in pages.values():
        timeline = _timeline_text(client, url)
        assert timeline.count("Amended") == 1, timeline
        entry = timeline[timeline.index("Amended") : timeline.index("Resubmitted")]
        assert entry.startswith("Amended before resubmission")
        assert "Topic: “Digital services” → “Digital services for citizens”" in entry
        assert f"Date and time: {_shown_at(old_event_at)} → {_shown_at(new_event_at)}" in entry
        assert "File added: programme.pdf" in entry
        # Fields left as they were are not named.
        assert _label("outlet") not in entry


def test_choices_by_label_and_long_texts_on_asking(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    request = _returned(servant, reporting_officer, summary="First line.\nSecond line.")
    radio = platform("radio")
    _amend(
        request,
        servant,
        participation="talk_show",
        platform=radio,
        summary="A shorter summary.",
        honorarium=True,
        honorarium_amount=5000,
    )
    attachment = services.attachment_add(request=fresh(request), by=servant, upload=_pdf("a.pdf"))
    services.attachment_remove(attachment=attachment, by=servant)

    html = section(browser(servant).get(f"/requests/{request.pk}/").content.decode(), "Timeline")
    timeline = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
    assert "Amended, not yet resubmitted" in timeline
    assert "Kind of participation: Interview → Talk show or panel" in timeline
    assert f"Platform: {platform('television').name} → {radio.name}" in timeline
    assert "An honorarium or fee is offered: No → Yes" in timeline
    assert "Honorarium (PKR): (none) → 5,000" in timeline
    # The summary's texts are there on asking, not spread across the timeline.
    details = re.search(r"<details>(.*?)</details>", html, re.S)
    assert details is not None
    assert f"{_label('summary')}: changed" in details.group(1)
    assert "First line.<br>Second line." in details.group(1)
    assert "A shorter summary." in details.group(1)
    # A file attached and removed again before resubmission changed nothing.
    assert "a.pdf" not in timeline
    # Codes are never shown.
    assert "talk_show" not in timeline


def test_each_resubmission_has_its_own_entry(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    request = _returned(servant, reporting_officer, topic="First")
    _amend(request, servant, topic="Second")
    workflow.resubmit(request.pk, by=servant, declaration=True)
    workflow.return_for_clarification(request.pk, by=reporting_officer, reason="And the host?")
    _amend(request, servant, topic="Third")
    _amend(request, servant, outlet="Radio Pakistan")
    workflow.resubmit(request.pk, by=servant, declaration=True)

    timeline = _timeline_text(browser(servant), f"/requests/{request.pk}/")

    assert timeline.count("Amended before resubmission") == 2
    first, second = timeline.split("Amended before resubmission")[1:]
    assert "Topic: “First” → “Second”" in first
    assert _label("outlet") not in first
    # Changed twice before the second resubmission: from what was returned to the last.
    assert "Topic: “Second” → “Third”" in second
    assert f"{_label('outlet')}: “PTV News, 'Policy Matters'” → “Radio Pakistan”" in second


def test_an_amount_reads_as_rupees_are_written(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    request = _returned(
        servant, reporting_officer, honorarium=True, honorarium_amount=Decimal("15000")
    )
    _amend(request, servant, honorarium_amount=Decimal("20000.50"))
    workflow.resubmit(request.pk, by=servant, declaration=True)

    timeline = _timeline_text(browser(servant), f"/requests/{request.pk}/")

    assert "15,000 → 20,000.50" in timeline


def test_a_change_undone_before_resubmission_is_not_shown_as_one(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    request = _returned(servant, reporting_officer, topic="As it was")
    _amend(request, servant, topic="Changed")
    _amend(request, servant, topic="As it was")
    workflow.resubmit(request.pk, by=servant, declaration=True)

    timeline = _timeline_text(browser(servant), f"/requests/{request.pk}/")

    assert "Amended before resubmission" in timeline
    assert "Topic:" not in timeline
    assert "nothing differs from the request as it was returned" in timeline


def test_events_recorded_before_values_were_kept_still_name_the_fields(
    browser: Browser, servant: User, reporting_officer: User
) -> None:
    request = _returned(servant, reporting_officer)
    returned = fresh(request)
    # As request_update recorded amendments before it kept old and new values.
    audit.record(
        Action.AMEND,
        request=returned,
        actor=servant,
        from_status=Status.RETURNED,
        to_status=Status.RETURNED,
        data={"fields": ["topic", "event_at"], "content": "0" * 64},
    )
    workflow.resubmit(request.pk, by=servant, declaration=True)

    timeline = _timeline_text(browser(servant), f"/requests/{request.pk}/")

    assert "Amended before resubmission" in timeline
    assert "Topic: changed" in timeline
    assert "Date and time: changed" in timeline


def test_the_amendment_events_keep_old_and_new_values_and_the_chain_holds(
    servant: User, reporting_officer: User
) -> None:
    request = _returned(servant, reporting_officer, topic="Before")
    old_event_at = fresh(request).event_at
    assert old_event_at is not None
    new_event_at = old_event_at + datetime.timedelta(days=1)
    radio = platform("radio")

    _amend(request, servant, topic="After", event_at=new_event_at, platform=radio)

    event = AuditEvent.objects.get(request=request, action=Action.AMEND)
    assert event.data["fields"] == ["platform", "topic", "event_at"]
    assert event.data["changes"] == {
        "platform": {
            "old": {"id": platform("television").pk, "name": platform("television").name},
            "new": {"id": radio.pk, "name": radio.name},
        },
        "topic": {"old": "Before", "new": "After"},
        "event_at": {
            "old": old_event_at.astimezone(datetime.UTC).isoformat(),
            "new": new_event_at.astimezone(datetime.UTC).isoformat(),
        },
    }
    report = audit.verify()
    assert report.ok, report.problem


def test_the_request_page_costs_the_same_queries_however_many_amendments(
    browser: Browser,
    servant: User,
    reporting_officer: User,
    django_assert_max_num_queries: Any,
) -> None:
    client = browser(servant)
    few = _returned(servant, reporting_officer)
    many = _returned(servant, reporting_officer)
    for n in range(5):
        _amend(many, servant, topic=f"Topic {n}", outlet=f"Outlet {n}")
        services.attachment_add(request=fresh(many), by=servant, upload=_pdf(f"note-{n}.pdf"))
    workflow.resubmit(many.pk, by=servant, declaration=True)

    bound = 10
    assert page_queries(
        client, f"/requests/{few.pk}/", bound, django_assert_max_num_queries
    ) == page_queries(client, f"/requests/{many.pk}/", bound, django_assert_max_num_queries)
