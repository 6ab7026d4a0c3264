"""CSV and XLSX exports that use the same memory for ten rows or ten million.

Rows come from the selectors a batch at a time (keyset queries, never a list of all
rows), as tuples. Each column says once what its cells are (text, a label, a moment, a
day, a number...), and the export turns that into one small converter per column before
the first row: the per-row work is an index and a converter per cell, with the labels
looked up in dictionaries built once and every moment turned into local time the same
way. A short result is written straight to the response (see the console's views);
anything longer is written to a file by a background job (permissions/exports/).

A spreadsheet would run a cell that starts with =, +, - or @ (and, in some programs, a
tab or carriage return) as a formula: a servant's topic could then call out to a
server or run a command on the auditor's computer. Every such text cell is written with
a leading apostrophe, in both formats, and XLSX never turns text into formulas, numbers
or links.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import operator
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Literal, Protocol

import xlsxwriter
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.http import FileResponse, QueryDict, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import audit
from ..audit import Origin
from ..models import AuditEvent, User
from ..models.requests import Capacity, Participation, PlatformCategory, StandardCondition
from ..states import Action, Status
from . import selectors
from .forms import AuditLogForm, RequestSearchForm

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_STARTS = frozenset(FORMULA_TRIGGERS)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# An XLSX worksheet holds at most 1,048,576 rows; the header takes one.
XLSX_ROWS_PER_SHEET = 1_048_575
XLSX_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
# The byte-order mark tells spreadsheet programs the file is UTF-8 (Urdu names).
BOM = "\ufeff"

Row = tuple[Any, ...]
Kind = Literal["text", "number", "moment", "day", "yes_no", "label", "json"]


def inert(text: str) -> str:
    """Text that no spreadsheet will take for a formula, even after it trims the
    spaces (or no-break spaces) in front."""
    dangerous = text.startswith(FORMULA_TRIGGERS) or text.lstrip().startswith(FORMULA_TRIGGERS)
    return "'" + text if dangerous else text


def _inert_text(value: Any) -> str:
    """A text cell: empty for None; most text starts with neither a trigger nor a space,
    and is passed on after one look at its first character."""
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    first = text[:1]
    if first in _TRIGGER_STARTS or first.isspace():
        return inert(text)
    return text


@dataclass(frozen=True)
class Column:
    """One column of an export: its heading, the row fields it reads, and what its cells
    are. A column of several fields (a person's name) or of a worked-out text gives
    `combine`, which receives those fields' values and returns the cell's text."""

    header: Any
    fields: tuple[str, ...]
    kind: Kind = "text"
    width: int = 16
    choices: type[models.TextChoices] | None = None
    combine: Callable[..., Any] | None = None


def column(
    header: Any,
    *fields: str,
    kind: Kind = "text",
    width: int = 16,
    choices: type[models.TextChoices] | None = None,
    combine: Callable[..., Any] | None = None,
) -> Column:
    return Column(header, fields, kind, width, choices, combine)


class _Labels(dict[Any, str]):
    """Code -> label, built once per export; an unknown code (written by a later
    version, say) is shown as it is rather than failing the export."""

    def __missing__(self, code: Any) -> str:
        return _inert_text(code)


def _labels(choices: type[models.TextChoices]) -> _Labels:
    labels = _Labels({code: _inert_text(str(label)) for code, label in choices.choices})
    labels[None] = labels[""] = ""
    return labels


_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def as_json(value: Any) -> str:
    return _json(value) if value else ""


# --- CSV ---------------------------------------------------------------------------------


def _csv_converter(column: Column) -> Callable[[Any], str]:
    """The function from the column's value to its CSV text. Dates and times stay ISO
    8601, not the pages' DATE_FORMAT: spreadsheets and scripts read them as dates in any
    language, and they sort as written."""
    kind = column.kind
    if kind == "label":
        assert column.choices is not None  # noqa: S101 - a column defined without its labels
        return _labels(column.choices).__getitem__
    if kind == "yes_no":
        return {True: _("Yes"), False: _("No"), None: ""}.__getitem__
    if kind == "moment":
        zone = timezone.get_current_timezone()

        def moment(value: datetime.datetime | None) -> str:
            return "" if value is None else value.astimezone(zone).isoformat(" ", "seconds")

        return moment
    if kind == "day":
        return lambda value: "" if value is None else value.isoformat()
    if kind == "number":
        return lambda value: "" if value is None else str(value)
    if kind == "json":
        return lambda value: _inert_text(_json(value)) if value else ""
    return _inert_text


def _getter(column: Column, fields: Sequence[str]) -> Callable[[Row], Any]:
    """For a column of several fields: the row to its `combine`d value."""
    assert column.combine is not None  # noqa: S101 - a column of several fields
    combine = column.combine
    pick = operator.itemgetter(*(fields.index(name) for name in column.fields))
    if len(column.fields) == 1:
        return lambda row: combine(pick(row))
    return lambda row: combine(*pick(row))


def _combined(get: Callable[[Row], Any], convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def cell(row: Row) -> Any:
        return convert(get(row))

    return cell


def csv_rows(columns: list[Column], fields: Sequence[str]) -> Callable[[Row], list[str]]:
    """The function from one row (a tuple of `fields`) to its list of CSV cells."""
    plan: list[tuple[int | None, Callable[[Any], str]]] = []
    for each in columns:
        convert = _csv_converter(each)
        if each.combine is None:
            plan.append((fields.index(each.fields[0]), convert))
        else:
            plan.append((None, _combined(_getter(each, fields), convert)))

    def cells(row: Row) -> list[str]:
        return [convert(row) if index is None else convert(row[index]) for index, convert in plan]

    return cells


def csv_header(columns: list[Column]) -> list[str]:
    return [inert(str(each.header)) for each in columns]


def write_csv(
    handle: IO[str],
    *,
    columns: list[Column],
    fields: Sequence[str],
    batches: Iterable[list[Row]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the header and every row of `batches` to `handle` (opened with newline="");
    call `progress` with the rows written so far after each batch. Returns the rows."""
    # Every field quoted: a spreadsheet that splits on semicolons (as in many locales)
    # must not find a formula after a semicolon inside a field.
    writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
    handle.write(BOM)
    writer.writerow(csv_header(columns))
    cells = csv_rows(columns, fields)
    written = 0
    for batch in batches:
        writer.writerows(map(cells, batch))
        written += len(batch)
        if progress is not None:
            progress(written)
    return written


def csv_response(
    *,
    filename: str,
    columns: list[Column],
    fields: Sequence[str],
    batches: Iterable[list[Row]],
) -> StreamingHttpResponse:
    """A short result streamed as CSV, a batch of rows a chunk."""

    def chunks() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
        writer.writerow(csv_header(columns))
        yield BOM + buffer.getvalue()
        cells = csv_rows(columns, fields)
        for batch in batches:
            buffer.seek(0)
            buffer.truncate()
            writer.writerows(map(cells, batch))
            yield buffer.getvalue()

    response = StreamingHttpResponse(chunks(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- XLSX --------------------------------------------------------------------------------

# (column index, the row to the cell's value, the worksheet method's name, the format)
_XlsxPlan = list[tuple[int, Callable[[Row], Any], str, str | None]]


def _xlsx_converter(column: Column) -> tuple[Callable[[Any], Any], str, str | None]:
    """The function from the column's value to the cell's, the worksheet's method that
    writes it, and the name of its number format. Dates and times are real dates (the
    spreadsheet shows them its way); text is always a text cell, never a formula,
    number or link, whatever it looks like."""
    kind = column.kind
    if kind == "label":
        assert column.choices is not None  # noqa: S101 - a column defined without its labels
        return _labels(column.choices).__getitem__, "write_string", None
    if kind == "yes_no":
        return {True: _("Yes"), False: _("No"), None: None}.__getitem__, "write_string", None
    if kind == "moment":
        zone = timezone.get_current_timezone()

        # Excel has no time zones: the portal's local time, as everywhere on its pages.
        def moment(value: datetime.datetime | None) -> datetime.datetime | None:
            return None if value is None else value.astimezone(zone).replace(tzinfo=None)

        return moment, "write_datetime", "moment"
    if kind == "day":
        return (lambda value: value), "write_datetime", "day"
    if kind == "number":
        return (lambda value: value), "write_number", None
    if kind == "json":
        return as_json, "write_string", None
    return _inert_text, "write_string", None


def _xlsx_plan(columns: list[Column], fields: Sequence[str]) -> _XlsxPlan:
    plan: _XlsxPlan = []
    for index, each in enumerate(columns):
        convert, method, number_format = _xlsx_converter(each)
        get: Callable[[Row], Any] = (
            operator.itemgetter(fields.index(each.fields[0]))
            if each.combine is None
            else _getter(each, fields)
        )
        plan.append((index, _combined(get, convert), method, number_format))
    return plan


def write_xlsx(
    handle: Any,
    *,
    sheet: str,
    columns: list[Column],
    fields: Sequence[str],
    batches: Iterable[list[Row]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write a workbook of every row of `batches` to `handle` (a path or a binary file),
    further sheets after the first is full; call `progress` after each batch."""
    workbook = xlsxwriter.Workbook(handle, XLSX_OPTIONS)
    bold = workbook.add_format({"bold": True})
    formats = {
        None: None,
        "moment": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        "day": workbook.add_format({"num_format": "yyyy-mm-dd"}),
    }
    headers = csv_header(columns)
    plan = _xlsx_plan(columns, fields)

    def new_sheet(number: int) -> Any:
        name = sheet if number == 1 else f"{sheet} ({number})"
        worksheet = workbook.add_worksheet(name[:31])
        for index, each in enumerate(columns):
            worksheet.set_column(index, index, each.width)
        # Constant-memory mode writes rows in order, so the header goes first.
        for index, header in enumerate(headers):
            worksheet.write_string(0, index, header, bold)
        worksheet.freeze_panes(1, 0)
        return worksheet

    number = 1
    worksheet = new_sheet(number)
    writers = [
        (index, get, getattr(worksheet, method), formats[fmt]) for index, get, method, fmt in plan
    ]
    row_number = written = 0
    for batch in batches:
        for row in batch:
            if row_number == XLSX_ROWS_PER_SHEET:
                number += 1
                worksheet = new_sheet(number)
                writers = [
                    (index, get, getattr(worksheet, method), formats[fmt])
                    for index, get, method, fmt in plan
                ]
                row_number = 0
            row_number += 1
            for index, get, write, cell_format in writers:
                value = get(row)
                if value is None or value == "":
                    continue
                write(row_number, index, value, cell_format)
        written += len(batch)
        if progress is not None:
            progress(written)
    workbook.close()
    return written


def xlsx_response(
    *,
    filename: str,
    sheet: str,
    columns: list[Column],
    fields: Sequence[str],
    batches: Iterable[list[Row]],
) -> FileResponse:
    """A short result as a workbook, built in a temporary file and then sent."""
    # Deleted by the system as soon as it is closed, which FileResponse does when the
    # last byte has been sent (or the client has gone).
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
    try:
        write_xlsx(handle, sheet=sheet, columns=columns, fields=fields, batches=batches)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the columns -------------------------------------------------------------------------


def _display_name(first_name: str | None, last_name: str | None, username: str | None) -> str:
    """A person as the pages name them (the `display_name` filter): their full name, or
    their user name when none is recorded."""
    full = " ".join(part for part in (first_name, last_name) if part)
    return full or username or ""


def _conditions_as_sentences() -> Callable[[list[str] | None], str]:
    labels = _labels(StandardCondition)

    def conditions(codes: list[str] | None) -> str:
        # Each standard condition reads as a sentence of its own.
        return " ".join(labels[code] for code in codes or [])

    return conditions


def _codes(codes: list[str] | None) -> str:
    return ", ".join(codes or [])


def request_columns() -> list[Column]:
    moment: Kind = "moment"
    day: Kind = "day"
    number: Kind = "number"
    return [
        column(_("Reference"), "reference"),
        column(_("Status"), "status", kind="label", choices=Status),
        column(
            _("Servant"),
            "applicant__first_name",
            "applicant__last_name",
            "applicant__username",
            combine=_display_name,
            width=24,
        ),
        column(_("User name"), "applicant__username"),
        column(_("Designation"), "applicant_designation", width=24),
        column(_("BPS"), "applicant_bps", kind=number, width=6),
        column(_("Organisation"), "organisation_name", width=30),
        column(_("Platform"), "platform__name"),
        column(
            _("Platform category"), "platform__category", kind="label", choices=PlatformCategory
        ),
        column(_("Kind of participation"), "participation", kind="label", choices=Participation),
        column(_("Capacity"), "capacity", kind="label", choices=Capacity),
        column(_("Outlet"), "outlet", width=30),
        column(_("Link"), "outlet_url", width=30),
        column(_("Topic"), "topic", width=40),
        column(_("What will be said or posted"), "summary", width=60),
        column(_("Official information (Rule 18)"), "official_information", kind="yes_no"),
        column(_("Honorarium"), "honorarium", kind="yes_no"),
        column(_("Created"), "created_at", kind=moment, width=20),
        column(_("Submitted"), "submitted_at", kind=moment, width=20),
        column(_("Decided"), "decided_at", kind=moment, width=20),
        column(_("Last decided by"), "last_decided_by"),
        column(_("Valid from"), "valid_from", kind=day, width=12),
        column(_("Valid until"), "valid_until", kind=day, width=12),
        column(_("Conditions"), "conditions", combine=_conditions_as_sentences(), width=60),
        column(_("Condition codes"), "conditions", combine=_codes, width=30),
        column(_("Further conditions"), "conditions_text", width=30),
        column(_("Reasons"), "decision_reason", width=40),
        column(_("Rule cited"), "decision_rule__number", width=8),
    ]


def event_columns() -> list[Column]:
    return [
        column(_("Event"), "id", kind="number", width=10),
        column(_("When"), "created_at", kind="moment", width=20),
        column(_("By (user name)"), "actor__username"),
        column(
            _("By"),
            "actor__first_name",
            "actor__last_name",
            "actor__username",
            combine=_display_name,
            width=24,
        ),
        column(_("For (user name)"), "acting_for__username"),
        column(_("Action code"), "action"),
        column(_("Action"), "action", kind="label", choices=Action, width=24),
        column(_("Request"), "request__reference"),
        column(_("From"), "from_status", kind="label", choices=Status, width=14),
        column(_("To"), "to_status", kind="label", choices=Status, width=14),
        column(_("From code"), "from_status", width=10),
        column(_("To code"), "to_status", width=10),
        column(_("Comment"), "comment", width=40),
        column(_("Details"), "data", kind="json", width=40),
        column(_("IP address"), "ip_address"),
        column(_("User agent"), "user_agent", width=30),
        column(_("Previous hash"), "prev_hash", width=20),
        column(_("Hash"), "hash", width=20),
    ]


# --- what can be exported ----------------------------------------------------------------


class FilterForm(Protocol):
    """What an export reads of a list's filter form (a Django form): whether it was
    given filters and whether they are right, the search they describe, and the same
    filters as plain values for the audit chain."""

    @property
    def is_bound(self) -> bool: ...

    @property
    def data(self) -> Any: ...

    @property
    def errors(self) -> Any: ...

    def is_valid(self) -> bool: ...

    def search(self) -> Any: ...

    def filters_for_record(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Export:
    """One list that can be exported (the console's here, a subpackage's through
    add_export): its filter form, its rows, its columns. The lists' views and the
    export jobs read the same filters the same way, so a file holds what the auditor
    saw."""

    what: str
    list_url_name: str
    sheet: Promise
    fields: tuple[str, ...]
    _form: Callable[[QueryDict], FilterForm] = field(repr=False)
    _unfiltered: Callable[[], Any] = field(repr=False)
    _batches: Callable[..., Iterator[list[Row]]] = field(repr=False)
    _exceeds: Callable[[Any, int], bool] = field(repr=False)
    _columns: Callable[[], list[Column]] = field(repr=False)

    def form(self, query: QueryDict) -> FilterForm:
        """The list's filter form over `query` (the list's query string), unbound when
        it holds no filter at all."""
        return self._form(query)

    def search(self, form: FilterForm) -> Any:
        """The search the form's filters describe; the unfiltered one when none were
        given; None when some are wrong (the form says which)."""
        if not form.is_bound:
            return self._unfiltered()
        return form.search() if form.is_valid() else None

    def batches(self, search: Any, *, size: int | None = None) -> Iterator[list[Row]]:
        return self._batches(search, size=size)

    def exceeds(self, search: Any, limit: int) -> bool:
        return self._exceeds(search, limit)

    def record(
        self, *, by: User, fmt: str, form: FilterForm, origin: Origin, **more: Any
    ) -> AuditEvent:
        """The export on the audit chain: what, in which format, with which filters (and
        `more`, such as the job that will write it)."""
        return audit.record(
            Action.EXPORT,
            actor=by,
            data={
                "what": self.what,
                "format": fmt,
                "filters": form.filters_for_record() if form.is_bound else {},
                **more,
            },
            origin=origin,
        )

    def columns(self) -> list[Column]:
        return self._columns()


def filter_query(query: QueryDict) -> QueryDict:
    """The list's filters and order from its query string, without the page it was on."""
    filters = query.copy()
    filters.pop("after", None)
    return filters


def _request_form(query: QueryDict) -> FilterForm:
    return RequestSearchForm(
        filter_query(query) or None,
        tree=selectors.organisation_tree(),
        platforms=selectors.platform_choices(),
    )


def _audit_log_form(query: QueryDict) -> FilterForm:
    return AuditLogForm(filter_query(query) or None, tree=selectors.organisation_tree())


EXPORTS: dict[str, Export] = {
    "requests": Export(
        what="requests",
        list_url_name="console-requests",
        sheet=gettext_lazy("Requests"),
        fields=selectors.REQUEST_EXPORT_FIELDS,
        _form=_request_form,
        _unfiltered=selectors.RequestSearch,
        _batches=selectors.request_export_batches,
        _exceeds=selectors.requests_exceed,
        _columns=request_columns,
    ),
    "audit_log": Export(
        what="audit_log",
        list_url_name="console-audit-log",
        sheet=gettext_lazy("Audit log"),
        fields=selectors.AUDIT_EXPORT_FIELDS,
        _form=_audit_log_form,
        _unfiltered=selectors.AuditLogSearch,
        _batches=selectors.event_export_batches,
        _exceeds=selectors.events_exceed,
        _columns=event_columns,
    ),
}


def add_export(export: Export) -> None:
    """Make a subpackage's list exportable like the console's, from its AppConfig.ready()
    so that the web processes and the workers writing the files both know it: the core
    imports no subpackage."""
    if EXPORTS.setdefault(export.what, export) is not export:
        raise ImproperlyConfigured(f"Two exports are called {export.what!r}.")
