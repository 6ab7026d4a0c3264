"""A permission's standing is confirmed against the chain: valid only while the row still
holds what was decided and says what was submitted, and a file only while its bytes are
the ones uploaded. A mismatch is raised once to the auditors, on the chain and by mail."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from permissions import integrity, services, workflow
from permissions.content import decision_digest
from permissions.integrity import Noticed, Standing, What
from permissions.models import AuditEvent, Notification, PermissionRequest, User
from permissions.states import Action, Status
from tests.helpers import approved_until, days, fresh, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def approval(servant: User, reporting_officer: User, auditor: User) -> PermissionRequest:
    request = approved_until(servant, reporting_officer, today() + days(30))
    assert request.status == Status.APPROVED
    return request


def alerts() -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action__in=[Action.INTEGRITY_MISMATCH, Action.FILE_MISMATCH]
        ).order_by("pk")
    )


def test_every_action_of_the_workflow_records_what_was_decided(
    approval: PermissionRequest,
) -> None:
    events = AuditEvent.objects.filter(request=approval).order_by("pk")
    assert [e.action for e in events] == ["submit", "approve"]
    assert all("decision" in e.data for e in events)
    assert events.last().data["decision"] == decision_digest(fresh(approval))  # type: ignore[union-attr]


def test_a_fresh_approval_is_valid_and_raises_nothing(approval: PermissionRequest) -> None:
    result = integrity.check(fresh(approval), noticed_by=Noticed.VERIFICATION)
    assert result.standing == Standing.VALID
    assert result.confirmed and result.valid
    assert alerts() == []


def test_an_approval_past_its_last_day_is_expired_before_the_job_marks_it(
    approval: PermissionRequest,
) -> None:
    last_day = approval.valid_until
    assert last_day is not None
    result = integrity.check(
        fresh(approval), noticed_by=Noticed.VERIFICATION, today=last_day + days(1)
    )
    assert result.standing == Standing.EXPIRED
    assert (
        integrity.check(fresh(approval), noticed_by=Noticed.VERIFICATION, today=last_day).standing
        == Standing.VALID
    )


def test_a_revoked_approval_is_revoked_at_once(
    approval: PermissionRequest, reporting_officer: User
) -> None:
    workflow.revoke(approval.pk, by=reporting_officer, reason="Spoke beyond the topic.")
    result = integrity.check(fresh(approval), noticed_by=Noticed.VERIFICATION)
    assert result.standing == Standing.REVOKED
    assert result.confirmed


def test_a_request_never_approved_grants_nothing(servant: User, reporting_officer: User) -> None:
    from tests.factories import submitted_request

    pending = submitted_request(servant)
    assert integrity.check(pending, noticed_by=Noticed.VERIFICATION).standing == (
        Standing.NOT_GRANTED
    )


@pytest.mark.parametrize(
    ("change", "what"),
    [
        ({"valid_until": datetime.date(2036, 12, 31)}, What.DECISION),
        ({"conditions": ["no_official_information"]}, What.DECISION),
        ({"conditions_text": "None."}, What.DECISION),
        ({"topic": "Something else entirely"}, What.CONTENT),
        ({"outlet": "Another channel"}, What.CONTENT),
    ],
)
def test_a_row_changed_in_the_database_cannot_be_confirmed(
    change: dict[str, object], what: What, approval: PermissionRequest, auditor: User
) -> None:
    PermissionRequest.objects.filter(pk=approval.pk).update(**change)

    result = integrity.check(fresh(approval), noticed_by=Noticed.VERIFICATION)

    assert result.standing == Standing.UNCONFIRMED
    assert [m.what for m in result.mismatches] == [what]
    assert result.mismatches[0].reference == approval.reference
    [event] = alerts()
    assert event.action == Action.INTEGRITY_MISMATCH
    assert event.request_id == approval.pk
    assert event.data["noticed_by"] == "verification"
    assert approval.reference in event.comment
    [mail] = Notification.objects.filter(kind="integrity_alert")
    assert mail.recipient == auditor
    assert approval.reference in mail.subject
    assert "public check" in mail.body_text


def test_a_rejection_turned_into_an_approval_in_the_database_cannot_be_confirmed(
    servant: User, reporting_officer: User, auditor: User
) -> None:
    from permissions.models import ConductRule
    from tests.factories import submitted_request

    request = submitted_request(servant)
    rule = ConductRule.objects.get(number="22")
    workflow.reject(request.pk, by=reporting_officer, reason="No.", rule=rule)
    PermissionRequest.objects.filter(pk=request.pk).update(
        status=Status.APPROVED,
        valid_from=today(),
        valid_until=today() + days(365),
    )

    result = integrity.check(fresh(request), noticed_by=Noticed.LETTER)

    assert result.standing == Standing.UNCONFIRMED
    assert [m.what for m in result.mismatches] == [What.DECISION]


def test_the_same_mismatch_is_raised_once_and_a_new_one_again(
    approval: PermissionRequest, auditor: User
) -> None:
    PermissionRequest.objects.filter(pk=approval.pk).update(valid_until=today() + days(3650))
    for _ in range(3):
        integrity.check(fresh(approval), noticed_by=Noticed.VERIFICATION)
    assert len(alerts()) == 1
    assert Notification.objects.filter(kind="integrity_alert").count() == 1

    PermissionRequest.objects.filter(pk=approval.pk).update(topic="Changed as well")
    integrity.check(fresh(approval), noticed_by=Noticed.SWEEP)
    assert len(alerts()) == 2
    assert Notification.objects.filter(kind="integrity_alert").count() == 2


def test_a_row_put_back_as_it_was_is_valid_again(approval: PermissionRequest) -> None:
    until = approval.valid_until
    PermissionRequest.objects.filter(pk=approval.pk).update(valid_until=today() + days(3650))
    assert integrity.check(fresh(approval), noticed_by=Noticed.VERIFICATION).standing == (
        Standing.UNCONFIRMED
    )
    PermissionRequest.objects.filter(pk=approval.pk).update(valid_until=until)
    assert integrity.check(fresh(approval), noticed_by=Noticed.VERIFICATION).valid


# Files ---------------------------------------------------------------------------------


@pytest.fixture
def with_file(servant: User, reporting_officer: User) -> PermissionRequest:
    from tests.factories import draft_request

    draft = draft_request(servant)
    services.attachment_add(
        request=draft,
        by=servant,
        upload=SimpleUploadedFile("script.pdf", b"%PDF-1.4\n% the script\n", "application/pdf"),
    )
    workflow.submit(draft.pk, by=servant, declaration=True)
    return fresh(draft)


def test_a_file_changed_on_disk_makes_the_permission_unconfirmed(
    with_file: PermissionRequest, reporting_officer: User, auditor: User
) -> None:
    from permissions.workflow import Approval

    workflow.approve(
        with_file.pk,
        by=reporting_officer,
        approval=Approval(valid_from=today(), valid_until=today() + days(10)),
    )
    attachment = with_file.attachments.get()
    assert integrity.check(fresh(with_file), noticed_by=Noticed.LETTER).valid

    Path(attachment.file.path).write_bytes(b"%PDF-1.4\n% another script\n")

    result = integrity.check(fresh(with_file), noticed_by=Noticed.LETTER)
    assert result.standing == Standing.UNCONFIRMED
    [mismatch] = result.mismatches
    assert mismatch.what == What.FILE and "script.pdf" in mismatch.detail
    # The public page need not read every file: without files, the row alone decides.
    assert integrity.check(fresh(with_file), noticed_by=Noticed.VERIFICATION, files=False).valid
    [event] = alerts()
    assert event.action == Action.FILE_MISMATCH


def test_a_changed_file_is_withheld_from_download_and_raised(
    with_file: PermissionRequest, servant: User, auditor: User, browser: Callable[[User], Client]
) -> None:
    attachment = with_file.attachments.get()
    url = f"/requests/{with_file.pk}/attachments/{attachment.pk}/"
    client = browser(servant)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n% the script\n"  # type: ignore[attr-defined]
    assert alerts() == []

    Path(attachment.file.path).write_bytes(b"MZ something else")
    response = client.get(url)

    assert response.status_code == 409
    page = response.content.decode()
    assert "cannot be given out" in page
    assert "script.pdf" in page and "MZ something else" not in page
    [event] = alerts()
    assert (event.action, event.actor_id, event.data["noticed_by"]) == (
        Action.FILE_MISMATCH,
        servant.pk,
        "download",
    )
    assert Notification.objects.filter(kind="integrity_alert", recipient=auditor).count() == 1

    Path(attachment.file.path).unlink()
    response = client.get(url)
    assert response.status_code == 409
    assert len(alerts()) == 2  # missing is a different mismatch from changed


def test_the_grounds_a_rejection_cited_are_covered_by_what_the_chain_recorded(
    servant: User, reporting_officer: User, auditor: User
) -> None:
    from permissions.models import ConductRule, Ground
    from tests.factories import submitted_request
    from tests.grounds.conftest import reseed

    reseed()
    request = submitted_request(servant)
    defamation = Ground.objects.select_related("rule").get(title="Defamation")
    workflow.reject(
        request.pk,
        by=reporting_officer,
        reason="It names a colleague.",
        rule=ConductRule.objects.get(number="21"),
        grounds=[defamation],
    )
    assert integrity.check(fresh(request), noticed_by=Noticed.VERIFICATION).standing != (
        Standing.UNCONFIRMED
    )
    # The cited ground swapped for another in the database, reasons and rule untouched.
    cited = fresh(request).decision_grounds
    cited[0]["title"] = "Following trends"
    PermissionRequest.objects.filter(pk=request.pk).update(decision_grounds=cited)

    result = integrity.check(fresh(request), noticed_by=Noticed.VERIFICATION)
    assert result.standing == Standing.UNCONFIRMED
    assert [m.what for m in result.mismatches] == [What.DECISION]
