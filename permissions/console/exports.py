"""CSV and XLSX exports that use the same memory for ten rows or ten million.

Rows come from the selectors a batch at a time (keyset queries, never a list of all
rows). CSV is written as the response is read. XLSX is written by xlsxwriter in
constant-memory mode to a temporary file, row by row, then streamed from it.

A spreadsheet would run a cell that starts with =, +, - or @ (and, in some programs, a
tab or carriage return) as a formula: a servant's topic could then call out to a
server or run a command on the auditor's computer. Every such text cell is written with
a leading apostrophe, in both formats, and XLSX never turns text into formulas, numbers
or links.
"""

from __future__ import annotations

import csv
import datetime
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models.requests import Capacity, Participation, PlatformCategory, StandardCondition
from ..states import Action, Status, label_of

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_CHUNK_ROWS = 500
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An XLSX worksheet holds at most 1,048,576 rows; the header takes one.
XLSX_ROWS_PER_SHEET = 1_048_575
XLSX_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def inert(text: str) -> str:
    """Text that no spreadsheet will take for a formula, even after it trims the
    spaces (or no-break spaces) in front."""
    dangerous = text.startswith(FORMULA_TRIGGERS) or text.lstrip().startswith(FORMULA_TRIGGERS)
    return "'" + text if dangerous else text


@dataclass(frozen=True)
class Column:
    header: Any
    value: Callable[[dict[str, Any]], Any]
    width: int = 16


def _text(value: Any) -> str:
    """A cell's value as CSV text. Dates and times stay ISO 8601, not the pages'
    DATE_FORMAT: spreadsheets and scripts read them as dates in any language, and they
    sort as written. (XLSX cells hold real dates, which the spreadsheet shows its way.)"""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)
    return inert(str(value))


class _Line:
    """csv.writer's file: hands each written line back instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def csv_response(
    *, filename: str, columns: list[Column], rows: Iterable[dict[str, Any]]
) -> StreamingHttpResponse:
    def lines() -> Iterator[str]:
        # Every field quoted: a spreadsheet that splits on semicolons (as in many
        # locales) must not find a formula after a semicolon inside a field.
        writer = csv.writer(_Line(), quoting=csv.QUOTE_ALL)
        # The byte-order mark tells spreadsheet programs the file is UTF-8 (Urdu names).
        yield "\ufeff" + writer.writerow([inert(str(column.header)) for column in columns])
        chunk: list[str] = []
        for row in rows:
            chunk.append(writer.writerow([_text(column.value(row)) for column in columns]))
            if len(chunk) >= CSV_CHUNK_ROWS:
                yield "".join(chunk)
                chunk.clear()
        if chunk:
            yield "".join(chunk)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def xlsx_response(
    *, filename: str, sheet: str, columns: list[Column], rows: Iterable[dict[str, Any]]
) -> FileResponse:
    # Deleted by the system as soon as it is closed, which FileResponse does when the
    # last byte has been sent (or the client has gone).
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
    try:
        _write_workbook(handle, sheet, columns, rows)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _write_workbook(
    handle: Any, sheet: str, columns: list[Column], rows: Iterable[dict[str, Any]]
) -> None:
    workbook = xlsxwriter.Workbook(handle, XLSX_OPTIONS)
    bold = workbook.add_format({"bold": True})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    headers = [inert(str(column.header)) for column in columns]

    def new_sheet(number: int) -> Any:
        name = sheet if number == 1 else f"{sheet} ({number})"
        worksheet = workbook.add_worksheet(name[:31])
        for index, column in enumerate(columns):
            worksheet.set_column(index, index, column.width)
        # Constant-memory mode writes rows in order, so the header goes first.
        for index, header in enumerate(headers):
            worksheet.write_string(0, index, header, bold)
        worksheet.freeze_panes(1, 0)
        return worksheet

    number = 1
    worksheet = new_sheet(number)
    row_number = 0
    for row in rows:
        if row_number == XLSX_ROWS_PER_SHEET:
            number += 1
            worksheet = new_sheet(number)
            row_number = 0
        row_number += 1
        for index, column in enumerate(columns):
            _write_cell(worksheet, row_number, index, column.value(row), moment, day)
    workbook.close()


def _write_cell(worksheet: Any, row: int, col: int, value: Any, moment: Any, day: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        worksheet.write_string(row, col, _("Yes") if value else _("No"))
    elif isinstance(value, datetime.datetime):
        # Excel has no time zones: the portal's local time, as everywhere on its pages.
        worksheet.write_datetime(row, col, timezone.localtime(value).replace(tzinfo=None), moment)
    elif isinstance(value, datetime.date):
        worksheet.write_datetime(row, col, value, day)
    elif isinstance(value, int | float | Decimal):
        worksheet.write_number(row, col, value)
    else:
        # Always a text cell, never a formula, number or link, whatever it looks like.
        worksheet.write_string(row, col, inert(str(value)))


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


def _label(choices: type[Any]) -> Callable[[Any], Any]:
    labels = dict(choices.choices)
    return lambda code: str(labels.get(code, code)) if code else ""


def _display_name(row: dict[str, Any], prefix: str) -> str:
    """A person as the pages name them (the `display_name` filter): their full name, or
    their user name when none is recorded."""
    full = " ".join(
        part for part in (row[f"{prefix}__first_name"], row[f"{prefix}__last_name"]) if part
    )
    return full or row[f"{prefix}__username"] or ""


def request_columns() -> list[Column]:
    status, category = _label(Status), _label(PlatformCategory)
    participation, capacity = _label(Participation), _label(Capacity)
    condition = _label(StandardCondition)

    def conditions(row: dict[str, Any]) -> str:
        # Each standard condition reads as a sentence of its own.
        return " ".join(condition(code) for code in row["conditions"] or [])

    return [
        Column(_("Reference"), lambda r: r["reference"]),
        Column(_("Status"), lambda r: status(r["status"])),
        Column(_("Servant"), lambda r: _display_name(r, "applicant"), 24),
        Column(_("User name"), lambda r: r["applicant__username"]),
        Column(_("Designation"), lambda r: r["applicant_designation"], 24),
        Column(_("BPS"), lambda r: r["applicant_bps"], 6),
        Column(_("Organisation"), lambda r: r["organisation_name"], 30),
        Column(_("Platform"), lambda r: r["platform__name"]),
        Column(_("Platform category"), lambda r: category(r["platform__category"])),
        Column(_("Kind of participation"), lambda r: participation(r["participation"])),
        Column(_("Capacity"), lambda r: capacity(r["capacity"])),
        Column(_("Outlet"), lambda r: r["outlet"], 30),
        Column(_("Link"), lambda r: r["outlet_url"], 30),
        Column(_("Topic"), lambda r: r["topic"], 40),
        Column(_("What will be said or posted"), lambda r: r["summary"], 60),
        Column(_("Official information (Rule 18)"), lambda r: r["official_information"]),
        Column(_("Honorarium"), lambda r: r["honorarium"]),
        Column(_("Created"), lambda r: r["created_at"], 20),
        Column(_("Submitted"), lambda r: r["submitted_at"], 20),
        Column(_("Decided"), lambda r: r["decided_at"], 20),
        Column(_("Last decided by"), lambda r: r["last_decided_by"]),
        Column(_("Valid from"), lambda r: r["valid_from"], 12),
        Column(_("Valid until"), lambda r: r["valid_until"], 12),
        Column(_("Conditions"), conditions, 60),
        Column(_("Condition codes"), lambda r: ", ".join(r["conditions"] or []), 30),
        Column(_("Further conditions"), lambda r: r["conditions_text"], 30),
        Column(_("Reasons"), lambda r: r["decision_reason"], 40),
        Column(_("Rule cited"), lambda r: r["decision_rule__number"], 8),
    ]


def event_columns() -> list[Column]:
    status = _label(Status)
    return [
        Column(_("Event"), lambda r: r["id"], 10),
        Column(_("When"), lambda r: r["created_at"], 20),
        Column(_("By (user name)"), lambda r: r["actor__username"]),
        Column(_("By"), lambda r: _display_name(r, "actor"), 24),
        Column(_("For (user name)"), lambda r: r["acting_for__username"]),
        Column(_("Action code"), lambda r: r["action"]),
        Column(_("Action"), lambda r: label_of(Action, r["action"]), 24),
        Column(_("Request"), lambda r: r["request__reference"]),
        Column(_("From"), lambda r: status(r["from_status"]), 14),
        Column(_("To"), lambda r: status(r["to_status"]), 14),
        Column(_("From code"), lambda r: r["from_status"], 10),
        Column(_("To code"), lambda r: r["to_status"], 10),
        Column(_("Comment"), lambda r: r["comment"], 40),
        Column(_("Details"), lambda r: as_json(r["data"]), 40),
        Column(_("IP address"), lambda r: r["ip_address"]),
        Column(_("User agent"), lambda r: r["user_agent"], 30),
        Column(_("Previous hash"), lambda r: r["prev_hash"], 20),
        Column(_("Hash"), lambda r: r["hash"], 20),
    ]
