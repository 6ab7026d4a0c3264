"""Export jobs: asked for by a POST from a console list (and recorded on the audit chain),
written by a task a batch at a time with the list's filters, the owner told through the
outbox, downloaded by the owner only, deleted when their time is up; a failure leaves
no file to download."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import math
import re
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook

from permissions import audit
from permissions.console import exports, selectors
from permissions.exports import services
from permissions.exports.models import ExportJob, ExportStatus
from permissions.models import AuditEvent, Notification, User
from permissions.states import Action
from tests.factories import UserFactory, make_auditor
from tests.helpers import chained_events

from .conftest import xlsx_cells

pytestmark = pytest.mark.django_db

EVENTS = 300
BATCH = 40


def start(
    client: Client, what: str = "audit_log", fmt: str = "csv", filters: str = ""
) -> ExportJob:
    response = client.post(
        "/audit/exports/new/",
        {"what": what, "format": fmt, "filters": filters},
        HTTP_USER_AGENT="Audit browser",
    )
    assert response.status_code == 302
    job = ExportJob.objects.order_by("-pk").first()
    assert job is not None
    assert response["Location"] == f"/audit/exports/{job.pk}/"
    return job


def downloaded(client: Client, job: ExportJob) -> bytes:
    response = client.get(f"/audit/exports/{job.pk}/download/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def events(auditor: User) -> int:
    # Seven events share each second, so batches end in the middle of a run of equal times.
    chained_events(EVENTS, auditor, per_second=7)
    for _n in range(5):
        audit.record(Action.LOGOUT, actor=auditor)
    return AuditEvent.objects.count()


def test_a_post_starts_a_job_recorded_on_the_audit_chain(
    auditor_browser: Client, auditor: User
) -> None:
    job = start(auditor_browser, "audit_log", "csv", "action=login&start=2026-05-01&after=xyz")

    job.refresh_from_db()
    assert job.requested_by == auditor
    assert (job.what, job.fmt) == ("audit_log", "csv")
    # The list's filters, without the page it was on.
    assert job.filters == "action=login&start=2026-05-01"
    event = AuditEvent.objects.filter(action="export").get()
    assert event.actor == auditor
    assert event.data == {
        "what": "audit_log",
        "format": "csv",
        "filters": {"action": "login", "start": "2026-05-01"},
        "job": job.pk,
    }
    assert event.user_agent == "Audit browser"


def test_the_csv_holds_every_filtered_row_and_the_owner_is_told(
    auditor_browser: Client, auditor: User, events: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "EXPORT_BATCH_SIZE", BATCH)
    logins = AuditEvent.objects.filter(action="login").count()
    assert 0 < logins < events

    job = start(auditor_browser, filters="action=login")

    job.refresh_from_db()
    assert job.status == ExportStatus.READY
    assert job.rows_written == logins
    header, *rows = read_csv(downloaded(auditor_browser, job))
    assert header[0] == "Event"
    assert len(rows) == logins
    row = dict(zip(header, rows[0], strict=True))
    assert row["Action"] == "Signed in"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+05:00", row["When"])
    # Every thousandth comment of chained_events starts like a formula: made inert.
    comments = [dict(zip(header, r, strict=True))["Comment"] for r in rows]
    assert any(comment.startswith("'=") for comment in comments)
    assert not any(comment.startswith(exports.FORMULA_TRIGGERS) for comment in comments)
    assert job.file_size == len(downloaded(auditor_browser, job))

    [notification] = Notification.objects.filter(recipient=auditor, kind="export_ready")
    assert notification.link == f"/audit/exports/{job.pk}/"
    assert f"/audit/exports/{job.pk}/" in notification.body_text
    assert "ready to download" in notification.subject


def test_the_xlsx_holds_every_row_and_moves_to_a_further_sheet_when_one_is_full(
    auditor_browser: Client, events: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "EXPORT_BATCH_SIZE", BATCH)
    monkeypatch.setattr(exports, "XLSX_ROWS_PER_SHEET", 250)

    job = start(auditor_browser, fmt="xlsx")

    job.refresh_from_db()
    assert job.status == ExportStatus.READY
    content = downloaded(auditor_browser, job)
    header, *first_sheet = xlsx_cells(content)
    assert header[0][0] == "Event"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        second = archive.read("xl/worksheets/sheet2.xml").decode()
    second_rows = second.count("<row ") - 1  # its own header
    # The export's own event is on the chain too, recorded before the rows were read.
    assert len(first_sheet) == 250
    assert len(first_sheet) + second_rows == events + 1 == job.rows_written
    assert not any(formula for row in [header, *first_sheet] for _text, _kind, formula in row)
    # The oldest event, last, starts like a formula: a text cell, quoted.
    assert "'=event 0" in second
    assert "<f>" not in second


def test_a_spreadsheet_program_reads_every_row_of_every_sheet(
    auditor_browser: Client, events: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Read back as a reader does, in read-only (streaming) mode: the row count of the
    whole log across its sheets, each with its header, and text that stays text."""
    monkeypatch.setattr(selectors, "EXPORT_BATCH_SIZE", BATCH)
    monkeypatch.setattr(exports, "XLSX_ROWS_PER_SHEET", 250)
    job = start(auditor_browser, fmt="xlsx")
    job.refresh_from_db()
    workbook_file = tmp_path / "export.xlsx"
    workbook_file.write_bytes(downloaded(auditor_browser, job))

    workbook = load_workbook(workbook_file, read_only=True)
    try:
        sheets = [list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets]
    finally:
        workbook.close()

    assert [len(rows) - 1 for rows in sheets] == [250, events + 1 - 250]
    assert all(rows[0][0] == "Event" for rows in sheets)
    # Every event up to the export's own once, by its number (the download came after).
    shown = [row[0] for rows in sheets for row in rows[1:]]
    recorded = AuditEvent.objects.filter(pk__lte=max(shown)).order_by("pk")
    assert sorted(shown) == list(recorded.values_list("pk", flat=True))
    assert any(cell == "'=event 0" for cell in sheets[-1][-1])


def test_requests_export_with_its_filters(auditor_browser: Client, servant: User) -> None:
    from tests.factories import submitted_request

    submitted_request(servant, topic='=HYPERLINK("http://evil.test")')
    submitted_request(servant, topic="Flood relief")

    job = start(auditor_browser, "requests", "csv", "text=HYPERLINK")

    header, *rows = read_csv(downloaded(auditor_browser, ExportJob.objects.get(pk=job.pk)))
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Topic"] == '\'=HYPERLINK("http://evil.test")'
    assert row["Status"] == "Pending"


def test_progress_is_written_after_every_batch_in_one_query_each(
    auditor: User, events: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "EXPORT_BATCH_SIZE", BATCH)
    job = ExportJob.objects.create(requested_by=auditor, what="audit_log", fmt="csv")
    seen: list[int] = []
    reads: list[str] = []
    real_update = services.ExportJob.objects.filter

    def watch(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if sql.lstrip().upper().startswith("SELECT") and '"permissions_auditevent"' in sql:
            reads.append(sql)
        if sql.lstrip().upper().startswith("UPDATE") and '"rows_written"' in sql:
            seen.append(params[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        assert services.export_job_run(job.pk) == ExportStatus.READY

    batches = math.ceil(events / BATCH)
    # One bounded read and one progress update a batch, however many batches.
    assert len(reads) in {batches, events // BATCH + 1}
    assert all(f"LIMIT {BATCH}" in sql for sql in reads)
    assert seen[:batches] == [min(BATCH * n, events) for n in range(1, batches + 1)]
    assert real_update is not None


def test_a_job_runs_once(auditor: User) -> None:
    job = ExportJob.objects.create(requested_by=auditor, what="audit_log", fmt="csv")
    assert services.export_job_run(job.pk) == ExportStatus.READY
    assert services.export_job_run(job.pk) == ExportStatus.READY
    assert Notification.objects.filter(kind="export_ready").count() == 1


def test_the_pages_show_the_job_and_its_download(auditor_browser: Client, events: int) -> None:
    job = start(auditor_browser)

    listing = auditor_browser.get("/audit/exports/").content.decode()
    assert f'href="/audit/exports/{job.pk}/download/"' in listing
    assert "Ready to download" in listing
    page = auditor_browser.get(f"/audit/exports/{job.pk}/").content.decode()
    assert "Ready to download" in page
    assert "hx-trigger" not in page  # finished: nothing more to ask for


def test_an_unfinished_job_polls_and_offers_a_refresh_link(
    auditor_browser: Client, auditor: User
) -> None:
    job = ExportJob.objects.create(requested_by=auditor, what="audit_log", fmt="csv")
    page = auditor_browser.get(f"/audit/exports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 3s"' in page
    assert f'href="/audit/exports/{job.pk}/">Refresh</a>' in page
    fragment = auditor_browser.get(f"/audit/exports/{job.pk}/", HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert html.lstrip().startswith('<div id="export-progress"')
    assert "Waiting to start" in html
    assert f'href="/audit/exports/{job.pk}/download/"' not in html
    assert auditor_browser.get(f"/audit/exports/{job.pk}/download/").status_code == 404


def test_the_download_is_the_owners_only_and_is_recorded(
    auditor_browser: Client,
    auditor: User,
    browser,
    servant: User,  # type: ignore[no-untyped-def]
) -> None:
    job = start(auditor_browser)
    other_auditor = browser(make_auditor(UserFactory(username="other-auditor")))
    url = f"/audit/exports/{job.pk}/download/"

    assert other_auditor.get(url).status_code == 404
    assert other_auditor.get(f"/audit/exports/{job.pk}/").status_code == 404
    assert browser(servant).get(url).status_code == 404
    assert (
        browser(servant)
        .post("/audit/exports/new/", {"what": "audit_log", "format": "csv", "filters": ""})
        .status_code
        == 404
    )
    response = auditor_browser.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    assert response["X-Content-Type-Options"] == "nosniff"
    b"".join(response.streaming_content)
    job.refresh_from_db()
    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert event.data == {
        "what": "audit_log",
        "format": "csv",
        "job": job.pk,
        "downloaded": True,
        "sha256": job.sha256,
    }
    # No longer an auditor: no more downloads.
    auditor.groups.clear()
    assert auditor_browser.get(url).status_code == 404


def test_bad_filters_go_back_to_the_list_and_start_nothing(auditor_browser: Client) -> None:
    response = auditor_browser.post(
        "/audit/exports/new/",
        {"what": "audit_log", "format": "csv", "filters": "action=explode"},
        follow=True,
    )
    final_url, _status = response.redirect_chain[-1]
    assert final_url == "/audit/log/?action=explode"
    assert "Correct the filters marked before exporting." in response.content.decode()
    assert not ExportJob.objects.exists()
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_long_result_from_the_old_links_goes_to_the_job_page(
    auditor_browser: Client,
    events: int,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.EXPORT_DIRECT_MAX_ROWS = 100
    response = auditor_browser.get("/audit/log/export.xlsx", {"action": "login"})
    assert response.status_code == 302
    assert response["Location"] == "/audit/exports/new/?action=login&what=audit_log&format=xlsx"
    confirm = auditor_browser.get(response["Location"]).content.decode()
    assert 'name="filters" value="action=login"' in confirm
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_failure_marks_the_job_failed_and_leaves_no_file(
    auditor_browser: Client,
    events: int,
    monkeypatch: pytest.MonkeyPatch,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setattr(selectors, "EXPORT_BATCH_SIZE", BATCH)
    real = exports.EXPORTS["audit_log"]._batches

    def breaks_halfway(search, *, size=None):  # type: ignore[no-untyped-def]
        batches = real(search, size=size)
        yield next(batches)
        raise RuntimeError("connection lost")

    monkeypatch.setitem(
        exports.EXPORTS,
        "audit_log",
        dataclasses.replace(exports.EXPORTS["audit_log"], _batches=breaks_halfway),
    )
    job = start(auditor_browser)

    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert "stopped because of an error on the server" in job.error
    assert not job.file.name
    assert auditor_browser.get(f"/audit/exports/{job.pk}/download/").status_code == 404
    exports_dir = Path(settings.MEDIA_ROOT) / "exports"
    assert not [path for path in exports_dir.rglob("*") if path.is_file()]
    assert not Notification.objects.filter(kind="export_ready").exists()
    page = auditor_browser.get(f"/audit/exports/{job.pk}/").content.decode()
    assert "The export failed." in page


def test_expired_files_are_deleted_and_the_jobs_marked(
    auditor_browser: Client, auditor: User
) -> None:
    job = start(auditor_browser)
    job.refresh_from_db()
    path = Path(job.file.path)
    assert path.exists()
    stale = ExportJob.objects.create(requested_by=auditor, what="audit_log", fmt="csv")

    assert services.expire_exports() == {"expired": 0, "stopped": 0}
    later = timezone.now() + datetime.timedelta(days=8)
    with time_machine.travel(later, tick=False):
        assert services.expire_exports() == {"expired": 1, "stopped": 1}

    job.refresh_from_db()
    assert job.status == ExportStatus.EXPIRED
    assert not job.file.name
    assert not path.exists()
    stale.refresh_from_db()
    assert stale.status == ExportStatus.FAILED
    assert auditor_browser.get(f"/audit/exports/{job.pk}/download/").status_code == 404


def test_an_auditor_who_reads_urdu_gets_the_headings_and_labels_in_urdu(
    auditor_browser: Client, auditor: User
) -> None:
    audit.record(Action.LOGOUT, actor=auditor)
    User.objects.filter(pk=auditor.pk).update(language="ur")

    job = start(auditor_browser, filters="action=logout")

    job.refresh_from_db()
    assert job.status == ExportStatus.READY
    header, *rows = read_csv(downloaded(auditor_browser, job))
    with translation.override("ur"):
        assert header[0] == translation.gettext("Event")
        assert dict(zip(header, rows[0], strict=True))[translation.gettext("Action")] == str(
            Action.LOGOUT.label
        )
    assert header[0] != "Event"
