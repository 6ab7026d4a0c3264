"""The auditors' register search, exported as the console's lists are: by an export job
that writes a CSV or XLSX file on a worker (permissions/exports/). Accounts and groups
are two exports, as their columns differ; both read the search page's own filter form,
with the kind of entry set by the export, so a file holds what the auditor searched.

RegisterConfig.ready() adds them to the console's registry of exports."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import QueryDict
from django.utils.translation import gettext_lazy

from permissions import paging
from permissions.console.exports import Column, Export, Row, column, filter_query
from permissions.models.requests import Capacity
from permissions.states import Status

from . import selectors
from .forms import RegisterSearchForm
from .models import GroupRole, GroupSize
from .selectors import RegisterSearch

# The search page's order and the exports': newest first, by (created_at, id).
NEWEST = paging.SortKey.newest("created_at")
EXPORT_BATCH = 2_000

ACCOUNT_COLUMNS = [
    column(gettext_lazy("Organisation"), "owner__organisation__name", width=30),
    column(
        gettext_lazy("Declared by"),
        "owner__first_name",
        "owner__last_name",
        combine=lambda first, last: f"{first} {last}".strip(),
        width=24,
    ),
    column(gettext_lazy("Designation"), "owner__designation", width=24),
    column(gettext_lazy("Platform"), "platform__name"),
    column(gettext_lazy("Handle or address"), "handle", width=30),
    column(gettext_lazy("Personal or official"), "capacity", kind="label", choices=Capacity),
    column(gettext_lazy("Since"), "since", kind="day"),
    column(gettext_lazy("Request for permission"), "permission__reference"),
    column(gettext_lazy("Its status"), "permission__status", kind="label", choices=Status),
    column(gettext_lazy("Declared"), "created_at", kind="moment"),
    column(gettext_lazy("Removed"), "removed_at", kind="moment"),
]
GROUP_COLUMNS = [
    *ACCOUNT_COLUMNS[:4],
    column(gettext_lazy("Name of the group"), "name", width=30),
    column(gettext_lazy("What the group is for"), "purpose", width=40),
    column(gettext_lazy("Rough size"), "size", kind="label", choices=GroupSize),
    column(gettext_lazy("Official group"), "official", kind="yes_no"),
    column(gettext_lazy("Part in it"), "role", kind="label", choices=GroupRole),
    *ACCOUNT_COLUMNS[6:],
]


def _fields(columns: list[Column]) -> tuple[str, ...]:
    """The id and the sort column first (the keyset of the batches), then every field
    the columns read, once each."""
    fields = ["id", "created_at"]
    for each in columns:
        fields.extend(name for name in each.fields if name not in fields)
    return tuple(fields)


ACCOUNT_FIELDS = _fields(ACCOUNT_COLUMNS)
GROUP_FIELDS = _fields(GROUP_COLUMNS)


def _batches(criteria: RegisterSearch, *, size: int | None = None) -> Iterator[list[Row]]:
    """Every matching entry as a tuple of its kind's fields, newest first, a batch (one
    LIMITed keyset query) at a time."""
    fields = GROUP_FIELDS if criteria.kind == "group" else ACCOUNT_FIELDS
    rows = selectors.search(criteria).values_list(*fields)
    yield from paging.batches(rows, sort=NEWEST, size=size or EXPORT_BATCH, key=(1, 0))


def _exceeds(criteria: RegisterSearch, limit: int) -> bool:
    """Whether more than `limit` entries match: a count that stops at limit + 1 rows."""
    return selectors.search(criteria).order_by().values("pk")[: limit + 1].count() > limit


def _form_of_kind(query: QueryDict, kind: str) -> RegisterSearchForm:
    # The export decides the kind, whatever the query says: an export of groups with
    # the columns of accounts would fail, and one of accounts under "groups" mislead.
    filters = filter_query(query)
    filters["kind"] = kind
    return RegisterSearchForm(filters)


def _account_form(query: QueryDict) -> RegisterSearchForm:
    return _form_of_kind(query, "account")


def _group_form(query: QueryDict) -> RegisterSearchForm:
    return _form_of_kind(query, "group")


ACCOUNTS = Export(
    what="register_accounts",
    list_url_name="register-search",
    sheet=gettext_lazy("Register of accounts"),
    fields=ACCOUNT_FIELDS,
    _form=_account_form,
    _unfiltered=lambda: RegisterSearch(kind="account"),
    _batches=_batches,
    _exceeds=_exceeds,
    _columns=lambda: ACCOUNT_COLUMNS,
)
GROUPS = Export(
    what="register_groups",
    list_url_name="register-search",
    sheet=gettext_lazy("Register of groups"),
    fields=GROUP_FIELDS,
    _form=_group_form,
    _unfiltered=lambda: RegisterSearch(kind="group"),
    _batches=_batches,
    _exceeds=_exceeds,
    _columns=lambda: GROUP_COLUMNS,
)


def export_for(kind: str) -> Export:
    """The export of the search page's kind of entry ("account" or "group")."""
    return GROUPS if kind == "group" else ACCOUNTS
