"""The chain records what a request said when it was submitted and decided on, so that
changing it afterwards, outside the portal, shows."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from permissions import audit, services, workflow
from permissions.content import content_digest, content_matches
from permissions.models import Attachment, AuditEvent, PermissionRequest, User
from tests.factories import submitted_request

from .conftest import raw

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def digests(request: PermissionRequest) -> dict[str, str]:
    return {
        event.action: event.data["content"]
        for event in AuditEvent.objects.filter(request=request).order_by("pk")
        if "content" in event.data
    }


def approved(servant: User, officer: User) -> PermissionRequest:
    request = submitted_request(servant)
    workflow.approve(request.pk, by=officer)
    return PermissionRequest.objects.get(pk=request.pk)


def test_submission_and_decision_record_the_content_decided_on(
    servant: User, reporting_officer: User
) -> None:
    request = approved(servant, reporting_officer)

    recorded = digests(request)

    assert set(recorded) == {"submit", "approve"}
    assert recorded["submit"] == recorded["approve"] == content_digest(request)
    check = content_matches(request)
    assert check is not None and check[0] is True and check[1].action == "approve"


@pytest.mark.parametrize(
    ("column", "value"),
    [("topic", "Criticism of government policy"), ("outlet", "A foreign channel")],
)
def test_an_approved_request_changed_in_the_database_no_longer_matches(
    servant: User, reporting_officer: User, column: str, value: str
) -> None:
    request = approved(servant, reporting_officer)
    raw(
        f"UPDATE {PermissionRequest._meta.db_table} SET {column} = %s WHERE id = %s",
        [value, request.pk],
    )

    changed = PermissionRequest.objects.get(pk=request.pk)

    # The chain itself is intact: it is the request that no longer matches it.
    assert audit.verify().ok
    check = content_matches(changed)
    assert check is not None and check[0] is False


def test_a_file_swapped_in_the_database_no_longer_matches(
    servant: User, reporting_officer: User
) -> None:
    request = submitted_request(servant)
    workflow.return_for_clarification(request.pk, by=reporting_officer, reason="Attach it.")
    services.attachment_add(request=request, by=servant, upload=SimpleUploadedFile("talk.pdf", PDF))
    workflow.resubmit(request.pk, by=servant, declaration=True)
    Attachment.objects.filter(request=request).update(sha256="0" * 64)

    check = content_matches(PermissionRequest.objects.get(pk=request.pk))

    assert check is not None and check[0] is False


def test_amending_a_returned_request_is_audited_with_its_new_content(
    servant: User, reporting_officer: User
) -> None:
    request = submitted_request(servant)
    workflow.return_for_clarification(request.pk, by=reporting_officer, reason="Say more.")
    returned = PermissionRequest.objects.get(pk=request.pk)

    services.request_update(
        request=returned, by=servant, data={"topic": "A clearer topic"}, origin=audit.SYSTEM
    )
    attachment = services.attachment_add(
        request=returned, by=servant, upload=SimpleUploadedFile("notes.pdf", PDF)
    )
    services.attachment_remove(attachment=attachment, by=servant)
    workflow.resubmit(request.pk, by=servant, declaration=True)

    amendments = list(AuditEvent.objects.filter(request=request, action="amend").order_by("pk"))
    assert [(e.data.get("fields"), e.data.get("files")) for e in amendments] == [
        (["topic"], None),
        (None, "added"),
        (None, "removed"),
    ]
    assert amendments[1].data["sha256"] == attachment.sha256
    resubmitted = AuditEvent.objects.get(request=request, action="resubmit")
    assert amendments[-1].data["content"] == resubmitted.data["content"]
    assert amendments[0].data["content"] != digests(request)["submit"]


def test_files_added_to_a_draft_are_not_audited(servant: User) -> None:
    from tests.factories import draft_request

    draft = draft_request(servant)
    services.attachment_add(request=draft, by=servant, upload=SimpleUploadedFile("a.pdf", PDF))
    assert not AuditEvent.objects.filter(request=draft).exists()
