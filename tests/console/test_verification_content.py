"""The records against the chain on the console: a run started here sweeps them; the
verification page shows, for each run, whether they matched, how many requests and files
were checked and which did not match (by reference, linked, with what differs in words);
the dashboard shows the newest sweep beside the chain, and warns when records differ."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from permissions import audit
from permissions.integrity import What
from permissions.models import AuditVerification, PermissionRequest, User
from permissions.states import Status
from tests.console.figures import dashboard_queries
from tests.factories import submitted_request
from tests.helpers import PDF, days, decided_with_files, page_queries, today

from .conftest import references

pytestmark = pytest.mark.django_db


# Session, user, the second factor, roles, then the runs (their mismatches are on their
# rows) and, when the newest run names one, the first bad event.
VERIFICATION_QUERIES = 6
MISMATCH_ROW = re.compile(
    r'<a href="/audit/requests/\d+/">([^<]+)</a></td>'
    r"\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>"
)


@pytest.fixture
def requests(servant: User, reporting_officer: User) -> dict[str, PermissionRequest]:
    return decided_with_files(servant, reporting_officer)


def tamper(requests: dict[str, PermissionRequest]) -> None:
    PermissionRequest.objects.filter(pk=requests["rejected"].pk).update(status=Status.APPROVED)
    PermissionRequest.objects.filter(pk=requests["approved"].pk).update(
        valid_until=today() + days(3653)
    )
    PermissionRequest.objects.filter(pk=requests["pending"].pk).update(topic="Something else")
    Path(requests["pending"].attachments.get().file.path).write_bytes(PDF + b"% added\n")


def section(html: str, marker: str, end: str) -> str:
    start = html.index(marker)
    return html[start : html.index(end, start)]


def mismatch_rows(html: str) -> list[tuple[str, str, str]]:
    """(reference, what, detail) of each row of the first table of mismatches."""
    table = section(
        html, 'class="table table-stacked table-sm align-middle console-mismatches"', "</table>"
    )
    return re.findall(MISMATCH_ROW, table)


def kept(reference: str, pk: int, what: str, detail: str) -> dict[str, object]:
    return {"request": pk, "reference": reference, "what": what, "detail": detail}


def finished_run(**fields: object) -> AuditVerification:
    return AuditVerification.objects.create(finished_at=timezone.now(), ok=True, **fields)


def test_a_run_started_here_sweeps_the_records_and_shows_what_differs(
    auditor_browser: Client, requests: dict[str, PermissionRequest]
) -> None:
    tamper(requests)

    response = auditor_browser.post("/audit/verification/run/", follow=True)

    run = AuditVerification.objects.get()
    assert (run.ok, run.content_ok, run.mismatches_found) == (True, False, 4)
    assert (run.requests_checked, run.files_checked) == (4, 3)
    html = response.content.decode()
    assert "The audit chain is intact" in html
    assert "4 mismatches were found between the records and the audit chain" in html
    result = section(html, 'id="content-result"', "</div>")
    assert "The records did not match the chain." in result
    assert "4 mismatches between requests or files" in result
    assert section(html, 'id="content-ok"', "</span>").endswith(">4 mismatches\n")
    assert section(html, 'id="requests-checked"', "</span>").endswith(">4")
    assert section(html, 'id="files-checked"', "</span>").endswith(">3")

    approved, rejected, pending = (requests[n] for n in ("approved", "rejected", "pending"))
    rows = mismatch_rows(html)
    assert [(reference, what) for reference, what, _detail in rows] == [
        (approved.reference, "what was decided"),
        (rejected.reference, "what was decided"),
        (pending.reference, "what the request says"),
        (pending.reference, "an attached file"),
    ]
    assert [escape(detail) for detail in (m["detail"] for m in run.mismatches)] == [
        detail for _reference, _what, detail in rows
    ]
    table = section(html, "console-mismatches", "</table>")
    for request in (approved, rejected, pending):
        assert f'<a href="/audit/requests/{request.pk}/">{request.reference}</a>' in table
    # Labels, never the codes the run keeps.
    for code in What.values:
        assert f">{code}</td>" not in table
    assert "more, not kept on the run" not in html


def test_a_clean_run_says_the_records_match(
    auditor_browser: Client, requests: dict[str, PermissionRequest]
) -> None:
    response = auditor_browser.post("/audit/verification/run/", follow=True)

    html = response.content.decode()
    assert "Every request and file matches the audit chain: 4 requests and 3 files checked." in (
        html
    )
    result = section(html, 'id="content-result"', "</div>")
    assert "The records matched the chain." in result
    assert section(html, 'id="content-ok"', "</span>").endswith(">Match\n")
    assert "console-mismatches" not in html
    dashboard = auditor_browser.get("/audit/").content.decode()
    assert 'id="records-warning"' not in dashboard
    records = section(dashboard, 'id="figure-records"', "</div>")
    assert ">Match<" in records
    assert "4 requests and 3 files checked" in records


def test_a_run_keeps_the_first_mismatches_and_the_page_says_how_many_more(
    auditor_browser: Client, servant: User
) -> None:
    request = submitted_request(servant)
    finished_run(
        content_ok=False,
        requests_checked=900,
        files_checked=40,
        mismatches=[
            kept(request.reference, request.pk, "decision", "its status differs"),
            kept(request.reference, request.pk, "file", "talk.pdf is missing from storage"),
        ],
        mismatches_found=7,
    )

    html = auditor_browser.get("/audit/verification/").content.decode()

    assert mismatch_rows(html) == [
        (request.reference, "what was decided", "its status differs"),
        (request.reference, "an attached file", "talk.pdf is missing from storage"),
    ]
    assert "and 5 more, not kept on the run" in html
    assert section(html, 'id="content-ok"', "</span>").endswith(">7 mismatches\n")


def test_earlier_runs_each_show_their_records_result(
    auditor_browser: Client, servant: User
) -> None:
    request = submitted_request(servant)
    finished_run(
        content_ok=False,
        requests_checked=12,
        files_checked=5,
        mismatches=[kept(request.reference, request.pk, "content", "its topic differs")],
        mismatches_found=1,
    )
    finished_run(content_ok=True, requests_checked=12, files_checked=5)
    audit.run_verification()  # the chain alone, as verify_audit without --content

    html = auditor_browser.get("/audit/verification/").content.decode()

    latest = section(html, "Last verification", "Earlier verifications")
    assert section(latest, 'id="content-ok"', "</span>").endswith(">Not checked\n")
    assert 'id="requests-checked"' not in latest
    earlier = section(html, 'id="earlier-verifications"', "</section>")
    cells = [
        [
            re.sub(r"\s+", " ", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", earlier.split("<tbody>")[1], re.S)
    ]
    assert [row[4:] for row in cells if len(row) == 7] == [
        ["Match", "12", "5"],
        ["1 mismatch", "12", "5"],
    ]
    details = section(earlier, "<details>", "</details>")
    assert f'<a href="/audit/requests/{request.pk}/">{request.reference}</a>' in details
    assert ">what the request says</td>" in details
    assert "its topic differs" in details


def test_a_run_not_finished_says_so(auditor_browser: Client, auditor: User) -> None:
    audit.start_verification(by=auditor)
    html = auditor_browser.get("/audit/verification/").content.decode()
    assert section(html, 'id="content-ok"', "</span>").endswith(">Not finished\n")


# --- the dashboard -----------------------------------------------------------------------


def test_the_dashboard_warns_while_the_newest_sweep_found_mismatches(
    auditor_browser: Client, requests: dict[str, PermissionRequest]
) -> None:
    tamper(requests)
    audit.run_verification(content=True)

    html = auditor_browser.get("/audit/").content.decode()

    warning = section(html, 'id="records-warning"', "</div>")
    assert 'role="alert"' in html[html.index('id="records-warning"') - 60 :][:80]
    assert "Records do not match the audit chain" in warning
    assert "found 4 mismatches between requests or files" in warning
    assert 'href="/audit/verification/#mismatches"' in warning
    records = section(html, 'id="figure-records"', "</div>")
    assert ">4 mismatches<" in records
    chain = section(html, 'id="figure-verification"', 'id="figure-records"')
    assert ">Intact<" in chain
    assert 'id="chain-warning"' not in html

    # A later run of the chain alone says nothing of the records: the warning stays.
    audit.run_verification()
    html = auditor_browser.get("/audit/").content.decode()
    assert 'id="records-warning"' in html
    assert ">4 mismatches<" in section(html, 'id="figure-records"', "</div>")

    # Once a sweep finds them matching again (the rows put back), it goes.
    finished_run(content_ok=True, requests_checked=3, files_checked=3)
    html = auditor_browser.get("/audit/").content.decode()
    assert 'id="records-warning"' not in html
    assert ">Match<" in section(html, 'id="figure-records"', "</div>")


def test_the_dashboard_before_any_sweep(auditor_browser: Client) -> None:
    html = auditor_browser.get("/audit/").content.decode()
    assert "Never checked yet." in section(html, 'id="figure-records"', "</div>")
    audit.run_verification()
    html = auditor_browser.get("/audit/").content.decode()
    assert "Never checked yet." in section(html, 'id="figure-records"', "</div>")
    assert 'id="records-warning"' not in html


def test_the_dashboard_warns_of_a_broken_chain(auditor_browser: Client) -> None:
    AuditVerification.objects.create(
        finished_at=timezone.now(), ok=False, bad_event_id=41, problem="hash mismatch: edited"
    )
    html = auditor_browser.get("/audit/").content.decode()
    warning = section(html, 'id="chain-warning"', "</div>")
    assert "found the chain broken at event #41: hash mismatch: edited" in warning


# --- query counts ------------------------------------------------------------------------


def _many_runs(request: PermissionRequest, runs: int, mismatches: int) -> None:
    for _ in range(runs):
        finished_run(
            content_ok=False,
            requests_checked=mismatches,
            files_checked=mismatches,
            mismatches=[
                kept(request.reference, request.pk, "decision", f"difference {n}")
                for n in range(mismatches)
            ],
            mismatches_found=mismatches + 10,
        )


def test_the_verification_page_costs_the_same_however_many_runs_and_mismatches(
    auditor_browser: Client,
    servant: User,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    request = submitted_request(servant)
    url = "/audit/verification/"
    _many_runs(request, 1, 1)
    few = page_queries(auditor_browser, url, VERIFICATION_QUERIES, django_assert_max_num_queries)
    _many_runs(request, 12, 500)
    html = auditor_browser.get(url).content.decode()
    assert len(references(html)) == 10 * 500
    many = page_queries(auditor_browser, url, VERIFICATION_QUERIES, django_assert_max_num_queries)
    print("QUERIES console verification", few, many)
    assert few == many


def test_the_dashboard_costs_the_same_with_a_sweep_shown(
    auditor_browser: Client,
    servant: User,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    request = submitted_request(servant)
    none = dashboard_queries(auditor_browser, django_assert_max_num_queries)
    _many_runs(request, 3, 500)
    audit.run_verification()
    shown = dashboard_queries(auditor_browser, django_assert_max_num_queries)
    html = auditor_browser.get("/audit/").content.decode()
    assert 'id="records-warning"' in html
    print("QUERIES console dashboard with a sweep", none, shown)
    assert none == shown
