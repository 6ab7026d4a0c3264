"""One request as the auditor reads it: every audit event about it (who, for whom, when,
the comment, the states), every step of every round, its attachments, which the
auditor may download, and every notification written about it."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from permissions import audit, services, workflow
from permissions.models import AuditEvent, Delegation, Notification, PermissionRequest, User
from tests.factories import draft_request, submitted_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(servant: User, reporting_officer: User, other_officer: User) -> PermissionRequest:
    """Submitted, returned, resubmitted with a file, approved by a delegate."""
    request = submitted_request(servant, topic="Flood relief briefing")
    workflow.return_for_clarification(
        request.pk, by=reporting_officer, reason="Attach the talking points & the slides."
    )
    services.attachment_add(
        request=PermissionRequest.objects.get(pk=request.pk),
        by=servant,
        upload=SimpleUploadedFile("talking-points.pdf", b"%PDF-1.4\n% points\n", "application/pdf"),
    )
    workflow.resubmit(request.pk, by=servant, declaration=True)
    Delegation.objects.create(
        delegator=reporting_officer,
        delegate=other_officer,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    workflow.approve(request.pk, by=other_officer)
    return PermissionRequest.objects.get(pk=request.pk)


def _rows(html: str, heading: str) -> list[str]:
    section = html[html.index(f">{heading}</h2>") :]
    section = section[: section.index("</section>")]
    body = (
        section[section.index("<tbody>") : section.index("</tbody>")]
        if "<tbody>" in section
        else ""
    )
    return re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)


def test_the_timeline_shows_every_event(
    auditor_browser: Client,
    history: PermissionRequest,
    servant: User,
    reporting_officer: User,
    other_officer: User,
) -> None:
    html = auditor_browser.get(f"/audit/requests/{history.pk}/").content.decode()
    rows = _rows(html, "Timeline")
    events = list(AuditEvent.objects.filter(request=history).order_by("pk"))
    # The file added while it was returned is an amendment, audited too.
    assert [e.action for e in events] == ["submit", "return", "amend", "resubmit", "approve"]
    assert len(rows) == len(events)
    for row, event in zip(rows, events, strict=True):
        assert f"#{event.pk}<" in row
        assert event.get_action_display() in row
        assert f'datetime="{timezone.localtime(event.created_at).isoformat()}"' in row
        assert f"{event.get_from_status_display()} → {event.get_to_status_display()}" in row
    submitted, returned, amended, _resubmitted, approved = rows
    assert servant.get_full_name() in amended
    assert servant.get_full_name() in submitted
    assert reporting_officer.get_full_name() in returned
    assert escape("Attach the talking points & the slides.") in returned
    # The delegate acted, for the officer on leave.
    by = re.findall(r'data-label="By">([^<]*)</td>', approved)
    for_whom = re.findall(r'data-label="For">([^<]*)</td>', approved)
    assert (by, for_whom) == ([other_officer.get_full_name()], [reporting_officer.get_full_name()])


def test_every_step_of_every_round(
    auditor_browser: Client,
    history: PermissionRequest,
    other_officer: User,
    reporting_officer: User,
) -> None:
    html = auditor_browser.get(f"/audit/requests/{history.pk}/").content.decode()
    rows = _rows(html, "Approval steps, every round")
    assert len(rows) == 2
    assert "Returned" in rows[0]
    assert "Approved" in rows[1]
    assert f"{other_officer} for {reporting_officer}" in rows[1]


def test_attachments_link_to_the_download_the_auditor_may_use(
    auditor_browser: Client, history: PermissionRequest
) -> None:
    attachment = history.attachments.get()
    html = auditor_browser.get(f"/audit/requests/{history.pk}/").content.decode()
    link = f"/requests/{history.pk}/attachments/{attachment.pk}/"
    assert f'href="{link}">talking-points.pdf</a>' in html
    assert attachment.sha256 in html

    response = auditor_browser.get(link)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n% points\n"


def test_the_notifications_written_about_it(
    auditor_browser: Client, history: PermissionRequest
) -> None:
    html = auditor_browser.get(f"/audit/requests/{history.pk}/").content.decode()
    rows = _rows(html, "Notifications sent about it")
    notifications = list(
        Notification.objects.filter(request=history)
        .select_related("recipient")
        .order_by("created_at", "pk")
    )
    assert notifications
    assert len(rows) == len(notifications)
    for row, notification in zip(rows, notifications, strict=True):
        assert escape(notification.get_kind_display()) in row
        assert escape(notification.recipient.get_full_name()) in row
        assert notification.get_status_display() in row
        if notification.sent_at:
            assert timezone.localtime(notification.sent_at).strftime("%-d %b %Y, %H:%M") in row
    kinds = {n.kind for n in notifications}
    assert {"submitted", "receipt", "returned", "approved"} <= kinds


def test_a_draft_with_no_history(auditor_browser: Client, servant: User) -> None:
    draft = draft_request(servant, topic="Budget talk")
    response = auditor_browser.get(f"/audit/requests/{draft.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The request has not been submitted." in html
    assert "No file is attached." in html
    assert "No notification has been written about it." in html


def test_the_search_links_to_the_record(
    auditor_browser: Client, history: PermissionRequest
) -> None:
    html = auditor_browser.get("/audit/requests/").content.decode()
    assert f'href="/audit/requests/{history.pk}/">{history.reference}</a>' in html


def test_another_request_is_not_mixed_in(
    auditor_browser: Client, history: PermissionRequest, servant: User
) -> None:
    other = submitted_request(servant, topic="Something else")
    html = auditor_browser.get(f"/audit/requests/{history.pk}/").content.decode()
    own = set(AuditEvent.objects.filter(request=history).values_list("pk", flat=True))
    shown = {
        int(pk)
        for pk in re.findall(r'<td class="text-nowrap" data-label="Event">#(\d+)</td>', html)
    }
    assert shown == own
    assert other.reference not in html


def test_refused_attempts_to_open_it_show_on_the_auditors_timeline(
    auditor_browser: Client, history: PermissionRequest, outsider: User
) -> None:
    refused = audit.record(
        "access.denied",
        actor=outsider,
        request=history,
        data={"path": f"/requests/{history.pk}/", "status": 404},
    )
    html = auditor_browser.get(f"/audit/requests/{history.pk}/").content.decode()
    row = next(r for r in _rows(html, "Timeline") if f"#{refused.pk}<" in r)
    assert "Access refused" in row
    assert escape(outsider.get_full_name()) in row


def _approved(servant: User, officer: User) -> PermissionRequest:
    request = submitted_request(servant)
    workflow.approve(request.pk, by=officer)
    return PermissionRequest.objects.get(pk=request.pk)


def test_the_console_says_whether_the_request_still_matches(
    auditor_browser: Client, servant: User, reporting_officer: User
) -> None:
    request = _approved(servant, reporting_officer)
    url = f"/audit/requests/{request.pk}/"

    assert "match what the audit chain recorded" in auditor_browser.get(url).content.decode()

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE permissions_permissionrequest SET summary = %s WHERE id = %s",
            ["Something else entirely", request.pk],
        )
    page = auditor_browser.get(url).content.decode()
    assert "Changed outside the portal." in page
