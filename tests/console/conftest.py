"""Helpers for the audit console's tests: signed-in browsers, requests filed in several
organisations, and the exports read back."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from xml.etree import ElementTree

import pytest
from django.test import Client

from permissions.models import Organisation, User
from tests.factories import OrganisationFactory, UserFactory

# Every test here runs its Celery tasks in the test process.
from tests.helpers import tasks_run_here  # noqa: F401

Browser = Callable[[User], Client]

SHEET_NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


@pytest.fixture
def auditor_browser(browser: Browser, auditor: User) -> Client:
    return browser(auditor)


@pytest.fixture
def department(division: Organisation) -> Organisation:
    """An attached department under the Information Division (under the Ministry)."""
    return OrganisationFactory(
        name="Press Information Department", code="pid-test", kind="department", parent=division
    )


@pytest.fixture
def other_ministry() -> Organisation:
    return OrganisationFactory(name="Ministry of Railways", code="mor-test", kind="ministry")


@pytest.fixture
def press_officer(department: Organisation, reporting_officer: User) -> User:
    return UserFactory(
        username="press-officer",
        first_name="Ayesha",
        last_name="Siddiqui",
        designation="Press Officer",
        bps=18,
        organisation=department,
        reporting_officer=reporting_officer,
    )


@pytest.fixture
def railway_officer(other_ministry: Organisation) -> User:
    chief = UserFactory(
        username="railway-chief", designation="Joint Secretary", bps=20, organisation=other_ministry
    )
    return UserFactory(
        username="railway-officer",
        first_name="Bilal",
        last_name="Qureshi",
        designation="Assistant Director",
        bps=17,
        organisation=other_ministry,
        reporting_officer=chief,
    )


def references(html: str) -> list[str]:
    """The request references linked from a console page, in page order."""
    return re.findall(r'href="/audit/requests/\d+/">(MP-\d{4}-\d+)<', html)


def csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def xlsx_cells(content: bytes) -> list[list[tuple[str, str | None, bool]]]:
    """Each row of the first worksheet as (text, cell type, has a formula) per cell,
    read from the XML inside the file."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in archive.namelist():
            root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314 - our own export
            shared = [
                "".join(t.text or "" for t in item.iter(f"{{{SHEET_NS['x']}}}t"))
                for item in root.findall("x:si", SHEET_NS)
            ]
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))  # noqa: S314 - ours
    rows = []
    for row in sheet.findall("x:sheetData/x:row", SHEET_NS):
        cells: list[tuple[str, str | None, bool]] = []
        for cell in row.findall("x:c", SHEET_NS):
            column = _column_index(cell.get("r", ""))
            while len(cells) < column:  # blank cells are not written
                cells.append(("", None, False))
            kind = cell.get("t")
            formula = cell.find("x:f", SHEET_NS) is not None
            if kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(f"{{{SHEET_NS['x']}}}t"))
            elif kind == "s":
                value = cell.find("x:v", SHEET_NS)
                text = shared[int(value.text or "0")] if value is not None else ""
            else:
                value = cell.find("x:v", SHEET_NS)
                text = value.text or "" if value is not None else ""
            cells.append((text, kind, formula))
        rows.append(cells)
    return rows


def _column_index(reference: str) -> int:
    """0 for A1, 1 for B7, 26 for AA3."""
    index = 0
    for letter in re.match(r"[A-Z]+", reference).group(0):  # type: ignore[union-attr]
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1
