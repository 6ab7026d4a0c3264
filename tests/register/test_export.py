"""The auditors' export of the register search: asked for from the search page, written
by an export job like the console's lists' (CSV or XLSX), holding exactly the entries
the search found, with labels rather than codes, and recorded on the audit chain."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from permissions import audit
from permissions.exports import services
from permissions.exports.models import ExportJob, ExportStatus
from permissions.models import AuditEvent, Notification, User
from permissions.register import exports as register_exports
from permissions.register.models import SocialAccount
from permissions.states import Action
from tests.helpers import tasks_run_here  # noqa: F401  (Celery tasks run in the test)

from .test_register import declare_account, declare_group

pytestmark = pytest.mark.django_db

Browser = Callable[[User], Client]

ACCOUNT_HEADER = [
    "Organisation",
    "Declared by",
    "Designation",
    "Platform",
    "Handle or address",
    "Personal or official",
    "Since",
    "Request for permission",
    "Its status",
    "Declared",
    "Removed",
]


def start(client: Client, what: str, fmt: str, filters: str) -> ExportJob:
    """The search page's export button: a POST to the export jobs with its filters."""
    response = client.post("/audit/exports/new/", {"what": what, "format": fmt, "filters": filters})
    assert response.status_code == 302
    job = ExportJob.objects.order_by("-pk").first()
    assert job is not None
    assert response["Location"] == f"/audit/exports/{job.pk}/"
    job.refresh_from_db()
    return job


def download(client: Client, job: ExportJob) -> Any:
    response = client.get(f"/audit/exports/{job.pk}/download/")
    assert response.status_code == 200
    return response


def csv_of(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def xlsx_of(response: Any, tmp_path: Path) -> list[tuple[Any, ...]]:
    workbook_file = tmp_path / "export.xlsx"
    workbook_file.write_bytes(b"".join(response.streaming_content))
    workbook = load_workbook(workbook_file, read_only=True)
    try:
        [sheet] = workbook.worksheets
        assert sheet.title == "Register of accounts"
        return list(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


@pytest.fixture
def declared(browser: Browser, servant: User, outsider: User) -> None:
    """Three accounts with "flood" in the handle (one of them removed), one without, and
    a group whose name has it."""
    declare_account(browser(servant), "@flood.cell", capacity="official")
    declare_account(browser(outsider), "flood_home")
    declare_account(browser(outsider), "@other.person")
    declare_account(browser(servant), "flood.old")
    old = SocialAccount.objects.get(handle="flood.old")
    browser(servant).post(f"/register/accounts/{old.pk}/remove/")
    declare_group(browser(outsider), name="Flood volunteers of Swat")


@pytest.mark.usefixtures("declared")
def test_an_export_of_accounts_found_by_handle_as_csv(
    browser: Browser, auditor: User, servant: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One entry a batch: the keyset batches must still give each row once, in order.
    monkeypatch.setattr(register_exports, "EXPORT_BATCH", 1)
    ran: list[int] = []
    run = services.export_job_run

    def run_and_note(job_id: int) -> str:
        ran.append(job_id)
        return run(job_id)

    monkeypatch.setattr(services, "export_job_run", run_and_note)
    client = browser(auditor)

    # The search page's filters, as its export button sends them (the page it was on
    # left out).
    job = start(client, "register_accounts", "csv", "q=flood&after=abc")

    assert ran == [job.pk]
    assert job.status == ExportStatus.READY
    assert job.filters == "q=flood&kind=account"
    assert job.rows_written == 2
    response = download(client, job)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert job.filename.startswith("register-accounts-") and job.filename.endswith(".csv")
    assert f'filename="{job.filename}"' in response["Content-Disposition"]
    header, *rows = csv_of(response)
    assert header == ACCOUNT_HEADER
    found = [dict(zip(header, row, strict=True)) for row in rows]
    # Newest first; the removed account and the one without "flood" left out; a handle
    # a spreadsheet would take for a formula written inert.
    assert [row["Handle or address"] for row in found] == ["flood_home", "'@flood.cell"]
    assert [row["Personal or official"] for row in found] == [
        "Personal capacity",
        "Official capacity",
    ]
    assert found[1]["Declared by"] == f"{servant.first_name} {servant.last_name}".strip()
    assert found[1]["Platform"] == "X (Twitter)"
    assert found[1]["Removed"] == ""
    [notification] = Notification.objects.filter(recipient=auditor, kind="export_ready")
    assert notification.link == f"/audit/exports/{job.pk}/"


@pytest.mark.usefixtures("declared")
def test_the_same_search_as_xlsx_holds_the_same_rows(
    browser: Browser, auditor: User, tmp_path: Path
) -> None:
    client = browser(auditor)

    job = start(client, "register_accounts", "xlsx", "q=flood&removed=on")

    assert job.status == ExportStatus.READY
    assert job.filename.startswith("register-accounts-") and job.filename.endswith(".xlsx")
    header, *rows = xlsx_of(download(client, job), tmp_path)
    assert list(header) == ACCOUNT_HEADER
    found = [dict(zip(header, row, strict=True)) for row in rows]
    # The removed account too, as the filters asked, newest first.
    assert [row["Handle or address"] for row in found] == [
        "flood.old",
        "flood_home",
        "'@flood.cell",
    ]
    assert [row["Personal or official"] for row in found] == [
        "Personal capacity",
        "Personal capacity",
        "Official capacity",
    ]
    assert found[0]["Removed"] is not None
    assert found[1]["Removed"] is None


@pytest.mark.usefixtures("declared")
def test_an_export_of_groups_has_the_groups_columns(browser: Browser, auditor: User) -> None:
    client = browser(auditor)

    job = start(client, "register_groups", "csv", "kind=group&q=flood&administers=on")

    assert job.status == ExportStatus.READY
    assert job.filename.startswith("register-groups-")
    header, *rows = csv_of(download(client, job))
    [row] = [dict(zip(header, each, strict=True)) for each in rows]
    assert row["Name of the group"] == "Flood volunteers of Swat"
    assert row["Platform"] == "WhatsApp"
    assert row["What the group is for"] == "Coordinating relief volunteers during the floods."
    assert row["Rough size"] == "51 to 250 members"
    assert row["Official group"] == "Yes"
    assert row["Part in it"] == "I administer it"
    assert "Handle or address" not in header
    # The job's page names what it holds.
    page = client.get(f"/audit/exports/{job.pk}/").content.decode()
    assert "Register of groups as CSV" in page
    assert "Register of groups" in client.get("/audit/exports/").content.decode()


@pytest.mark.usefixtures("declared")
def test_the_export_decides_the_kind_whatever_the_filters_say(
    browser: Browser, auditor: User
) -> None:
    client = browser(auditor)

    job = start(client, "register_accounts", "csv", "kind=group&q=flood")

    header, *rows = csv_of(download(client, job))
    assert header == ACCOUNT_HEADER
    assert [row[4] for row in rows] == ["flood_home", "'@flood.cell"]


def test_the_export_is_recorded_on_the_audit_chain_with_what_and_filters(
    browser: Browser, auditor: User
) -> None:
    client = browser(auditor)

    job = start(client, "register_accounts", "xlsx", "q=flood&official=personal&removed=on")

    event = AuditEvent.objects.filter(action=Action.EXPORT).get()
    assert event.actor == auditor
    assert event.data == {
        "what": "register_accounts",
        "format": "xlsx",
        "filters": {"kind": "account", "q": "flood", "official": "personal", "removed": True},
        "job": job.pk,
    }
    assert audit.verify().ok


def test_wrong_filters_are_sent_back_to_the_search_and_start_nothing(
    browser: Browser, auditor: User
) -> None:
    response = browser(auditor).post(
        "/audit/exports/new/",
        {"what": "register_accounts", "format": "csv", "filters": "q=flood&platform=999999"},
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/register/search/?")
    assert "platform=999999" in response["Location"]
    assert not ExportJob.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


@pytest.mark.parametrize("persona", ["servant", "reporting_officer"])
def test_only_auditors_export_the_register(
    browser: Browser, persona: str, request: pytest.FixtureRequest
) -> None:
    client = browser(request.getfixturevalue(persona))

    for what in ("register_accounts", "register_groups"):
        response = client.post(
            "/audit/exports/new/", {"what": what, "format": "csv", "filters": "q=flood"}
        )
        assert response.status_code == 404

    assert not ExportJob.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_the_search_page_offers_both_formats_for_the_kind_searched(
    browser: Browser, auditor: User
) -> None:
    client = browser(auditor)

    accounts = client.get("/register/search/?q=flood").content.decode()
    groups = client.get("/register/search/?kind=group&q=flood").content.decode()

    assert 'action="/audit/exports/new/"' in accounts
    assert 'name="what" value="register_accounts"' in accounts
    assert 'name="filters" value="q=flood"' in accounts
    assert 'name="format" value="csv"' in accounts and 'name="format" value="xlsx"' in accounts
    assert 'name="what" value="register_groups"' in groups
    assert "export.csv" not in accounts
