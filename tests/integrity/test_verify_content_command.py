"""`manage.py verify_audit --content`, the nightly job and the console's task: the chain
walk and the sweep of the records against it, each mismatch printed by reference, the
result kept on the run for the console, and a failing exit status when either part fails."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command

from permissions import audit, integrity, schedules, tasks
from permissions.integrity import What
from permissions.models import AuditEvent, AuditVerification, PermissionRequest, User
from permissions.states import Action, Status
from tests.helpers import PDF, approved_until, days, decided_with_files, today

pytestmark = pytest.mark.django_db


def verify_audit(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except CommandError as error:
        return error.returncode, f"{out.getvalue()}{error}"
    return 0, out.getvalue()


@pytest.fixture
def requests(servant: User, reporting_officer: User, auditor: User) -> dict[str, PermissionRequest]:
    return decided_with_files(servant, reporting_officer)


def tamper(requests: dict[str, PermissionRequest]) -> list[tuple[str, str]]:
    """Three changes behind the portal's back; (reference, what) of each, in request order."""
    PermissionRequest.objects.filter(pk=requests["rejected"].pk).update(status=Status.APPROVED)
    PermissionRequest.objects.filter(pk=requests["approved"].pk).update(topic="Something else")
    Path(requests["pending"].attachments.get().file.path).write_bytes(PDF + b"% added\n")
    return [
        (requests["approved"].reference, What.CONTENT),
        (requests["rejected"].reference, What.DECISION),
        (requests["pending"].reference, What.FILE),
    ]


def test_a_clean_database_reports_nothing(requests: dict[str, PermissionRequest]) -> None:
    code, output = verify_audit("--content")

    assert code == 0, output
    assert "Checked 4 requests and 3 files against the audit chain." in output
    assert "The records match the audit chain." in output
    assert "The audit chain is intact." in output
    run = AuditVerification.objects.get()
    assert (run.ok, run.content_ok) == (True, True)
    assert (run.requests_checked, run.files_checked) == (4, 3)
    assert (run.mismatches, run.mismatches_found) == ([], 0)
    assert not AuditEvent.objects.filter(action=Action.INTEGRITY_MISMATCH).exists()


def test_each_mismatch_is_printed_by_reference_and_the_exit_status_fails(
    requests: dict[str, PermissionRequest],
) -> None:
    expected = tamper(requests)

    code, output = verify_audit("--content")

    assert code == 1
    swept = integrity.sweep(alert=False)
    lines = [str(mismatch) for mismatch in swept.mismatches]
    assert [(m.reference, m.what) for m in swept.mismatches] == expected
    printed = output.splitlines()
    assert [line for line in printed if line.startswith("MP-")] == lines
    assert lines[0].startswith(f"{requests['approved'].reference}: what the request says: ")
    assert lines[1].startswith(f"{requests['rejected'].reference}: what was decided: ")
    assert lines[2].startswith(f"{requests['pending'].reference}: an attached file: talk.pdf ")
    assert "3 mismatches between the records and the audit chain." in output
    # The chain itself is intact, and says so; the records are what fails.
    assert "The audit chain is intact." in output
    assert output.endswith(
        "3 mismatches between the records and the audit chain; the auditors have been alerted."
    )
    run = AuditVerification.objects.get()
    assert (run.ok, run.content_ok, run.mismatches_found) == (True, False, 3)
    assert run.mismatches == [mismatch.as_dict() for mismatch in swept.mismatches]
    assert (
        AuditEvent.objects.filter(
            action__in=[Action.INTEGRITY_MISMATCH, Action.FILE_MISMATCH]
        ).count()
        == len(requests) - 1
    )


def test_one_mismatch_reads_in_the_singular(requests: dict[str, PermissionRequest]) -> None:
    PermissionRequest.objects.filter(pk=requests["approved"].pk).update(
        valid_until=today() + days(3653)
    )
    code, output = verify_audit("--content")
    assert code == 1
    assert f"{requests['approved'].reference}: what was decided: its status, validity" in output
    assert "1 mismatch between the records and the audit chain." in output


def test_without_content_the_records_are_not_swept(
    requests: dict[str, PermissionRequest],
) -> None:
    """The chain walk alone, as before: a changed record is not its business."""
    tamper(requests)

    code, output = verify_audit()

    assert code == 0, output
    assert "requests" not in output and "MP-" not in output
    run = AuditVerification.objects.get()
    assert (run.ok, run.content_ok, run.requests_checked, run.mismatches) == (True, None, 0, [])
    assert not AuditEvent.objects.filter(action=Action.INTEGRITY_MISMATCH).exists()


def test_a_broken_chain_fails_and_the_records_are_still_reported(
    requests: dict[str, PermissionRequest], servant: User
) -> None:
    tamper(requests)
    head = audit.head()
    assert head is not None
    (forged,) = AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=servant,
                action="login",
                prev_hash=head.hash,
                hash="f" * 64,
            )
        ]
    )

    code, output = verify_audit("--content", "--since-head")

    assert code == 1
    assert f"The audit chain is broken at event #{forged.pk}" in output
    assert "3 mismatches between the records and the audit chain." in output
    assert output.count("\nMP-") == 3
    run = AuditVerification.objects.get()
    assert (run.ok, run.content_ok) == (False, False)


def test_beyond_the_mismatches_a_run_keeps_it_says_how_many_more(
    requests: dict[str, PermissionRequest], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit, "MISMATCHES_KEPT", 2)
    tamper(requests)

    code, output = verify_audit("--content")

    assert code == 1
    assert output.count("\nMP-") == 2
    assert "… and 1 more." in output
    run = AuditVerification.objects.get()
    assert (len(run.mismatches), run.mismatches_found) == (2, 3)


def test_the_batch_size_applies_to_the_sweep_too(requests: dict[str, PermissionRequest]) -> None:
    expected = tamper(requests)
    code, output = verify_audit("--content", "--batch-size", "1")
    assert code == 1
    assert "Checked 4 requests and 3 files against the audit chain." in output
    assert [line.split(":")[0] for line in output.splitlines() if line.startswith("MP-")] == [
        reference for reference, _what in expected
    ]


# --- the nightly job and the console's task ---------------------------------------------


def test_the_nightly_job_sweeps_the_records(
    requests: dict[str, PermissionRequest], caplog: pytest.LogCaptureFixture
) -> None:
    clean = schedules.verify_audit()
    assert clean == {
        "checked": AuditEvent.objects.count(),
        "heads_checked": 0,
        "broken": 0,
        "requests_checked": 4,
        "files_checked": 3,
        "mismatches": 0,
    }
    tamper(requests)

    report = schedules.verify_audit()

    assert (report["broken"], report["mismatches"]) == (0, 3)
    latest = AuditVerification.objects.first()
    assert latest is not None and latest.by is None
    assert (latest.content_ok, latest.mismatches_found) == (False, 3)
    assert "records do not match the audit chain" in caplog.text


def test_run_job_and_beat_run_the_sweeping_job(requests: dict[str, PermissionRequest]) -> None:
    tamper(requests)
    out = StringIO()
    call_command("run_job", "verify_audit", stdout=out)
    assert "mismatches" in out.getvalue()
    assert AuditVerification.objects.get().content_ok is False
    # Nightly, as before: the beat entry is unchanged and runs the same job.
    entry = settings.CELERY_BEAT_SCHEDULE["verify-audit"]
    assert entry["task"] == tasks.job_verify_audit.name
    assert entry["schedule"] == crontab(hour=2, minute=30)
    assert tasks.job_verify_audit()["mismatches"] == 3


def test_a_run_started_on_the_console_sweeps_the_records(
    requests: dict[str, PermissionRequest], auditor: User
) -> None:
    tamper(requests)
    run = audit.start_verification(by=auditor)

    assert tasks.verify_audit_run(run.pk) is True

    run.refresh_from_db()
    assert (run.ok, run.content_ok, run.mismatches_found) == (True, False, 3)
    assert (run.requests_checked, run.files_checked) == (4, 3)
    assert {kept["reference"] for kept in run.mismatches} == {
        requests[name].reference for name in ("approved", "rejected", "pending")
    }


def test_an_expired_approval_sweeps_clean_from_the_command(
    servant: User, reporting_officer: User
) -> None:
    import time_machine
    from django.utils import timezone

    approved_until(servant, reporting_officer, today())
    with time_machine.travel(timezone.now() + days(2), tick=False):
        schedules.expire_approvals()
        code, output = verify_audit("--content", "--since-head")
    assert code == 0, output
    assert "The records match the audit chain." in output
