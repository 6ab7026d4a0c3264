"""Keyset paging, the one way every list and every batch job walks its rows.

A list is ordered by one sort column with the id as tie-breaker: a timestamp, a date, a
reference, or the id alone; a column may be empty (a request not yet decided has no
decision time), and empty values always come last, in either direction. Each page, and
each batch of an export or a scheduled job, is one LIMITed query that starts after the
last row seen: never an OFFSET, never a count of the whole table. A cursor that this
module did not make (malformed, oversized, out of range) means the first page.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

M = TypeVar("M", bound=models.Model)
Row = TypeVar("Row")

Kind = Literal["datetime", "date", "text", "id"]
EARLIEST_YEAR = 1900
LATEST_YEAR = 9000
# A cursor carries one value and an id: anything longer was not made by this page.
MAX_CURSOR_LENGTH = 400


@dataclass(frozen=True)
class SortKey:
    """One way of ordering a list: a column, its direction, and what its values are."""

    field: str
    descending: bool
    kind: Kind
    nullable: bool = False

    @classmethod
    def newest(cls, field: str) -> SortKey:
        """Newest first by a timestamp column that is never empty."""
        return cls(field, descending=True, kind="datetime")

    @classmethod
    def oldest(cls, field: str) -> SortKey:
        """Oldest first by a timestamp column that is never empty."""
        return cls(field, descending=False, kind="datetime")

    def order_by(self) -> list[Any]:
        if self.kind == "id":
            return ["-pk"] if self.descending else ["pk"]
        if not self.nullable:
            # Plain order, so that an index on (column, id) serves it on PostgreSQL too.
            return [f"-{self.field}", "-pk"] if self.descending else [self.field, "pk"]
        column = models.F(self.field)
        if self.descending:
            return [column.desc(nulls_last=True), "-pk"]
        return [column.asc(nulls_last=True), "pk"]

    def after(self, value: Any, pk: int) -> models.Q:
        """Rows that come after (value, pk) in this order."""
        beyond = "lt" if self.descending else "gt"
        if self.kind == "id":
            return models.Q(**{f"pk__{beyond}": pk})
        if value is None:
            # Among the empty values, which come last, only the id decides.
            return models.Q(**{f"{self.field}__isnull": True, f"pk__{beyond}": pk})
        # Written as "<= v and (< v or id beyond)" so an index on the column serves the
        # range; the same rows as "< v or (= v and id beyond)".
        condition = models.Q(**{f"{self.field}__{beyond}e": value}) & (
            models.Q(**{f"{self.field}__{beyond}": value}) | models.Q(**{f"pk__{beyond}": pk})
        )
        if self.nullable:
            condition |= models.Q(**{f"{self.field}__isnull": True})
        return condition

    def encode(self, value: Any, pk: int) -> str:
        if isinstance(value, datetime.datetime | datetime.date):
            value = value.isoformat()
        raw = json.dumps([value, pk], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, cursor: str | None) -> tuple[Any, int] | None:
        """A cursor from the URL; anything malformed simply means the first page."""
        if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
            return None
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            value, pk = json.loads(base64.urlsafe_b64decode(padded).decode())
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
            return None
        # Ids are 64-bit: a larger number would fail in the database, not just match nothing.
        if not isinstance(pk, int) or isinstance(pk, bool) or not 0 <= pk < 2**63:
            return None
        if self.kind == "id":
            return pk, pk
        if value is None:
            return (None, pk) if self.nullable else None
        # PostgreSQL refuses NUL in text: a crafted cursor must not reach it.
        if not isinstance(value, str) or "\x00" in value:
            return None
        parsed: Any
        try:
            if self.kind == "datetime":
                parsed = parse_datetime(value)
                # Naive, or so near the ends of the calendar that turning it into UTC
                # for the query would overflow.
                if parsed is not None and (
                    timezone.is_naive(parsed) or not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR
                ):
                    parsed = None
            elif self.kind == "date":
                parsed = parse_date(value)
            else:
                parsed = value
        except ValueError:
            return None
        if parsed is None:
            return None
        return parsed, pk


@dataclass
class Page(Generic[M]):
    rows: list[M]
    next_cursor: str | None
    is_first: bool


def page(queryset: models.QuerySet[M], *, sort: SortKey, cursor: str | None, size: int) -> Page[M]:
    """One page of `queryset` in `sort` order, starting after `cursor`."""
    position = sort.decode(cursor)
    ordered = queryset.order_by(*sort.order_by())
    if position is not None:
        ordered = ordered.filter(sort.after(*position))
    rows = list(ordered[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = sort.encode(_value_of(last, sort.field), last.pk)
    return Page(rows=rows, next_cursor=next_cursor, is_first=position is None)


def batches(
    queryset: models.QuerySet[Any, Row],
    *,
    sort: SortKey,
    size: int,
    key: tuple[str | int, str | int],
) -> Iterator[list[Row]]:
    """The whole of `queryset` in `sort` order, `size` rows per query, for exports and
    scheduled jobs.

    `queryset` may be a values() or values_list() queryset; `key` names where each row
    holds the sort column's value and the id (attribute, dict key or tuple index), so
    the next batch starts after the last row of this one. Only one batch is in memory
    at a time, and rows that leave the queryset meanwhile shift nothing."""
    ordered = queryset.order_by(*sort.order_by())
    value_name, pk_name = key
    position: tuple[Any, int] | None = None
    while True:
        chunk = ordered if position is None else ordered.filter(sort.after(*position))
        rows = list(chunk[:size])
        if rows:
            yield rows
        if len(rows) < size:
            return
        last = rows[-1]
        position = (_value_of(last, value_name), _value_of(last, pk_name))


# The id alone, ascending: for jobs that walk a whole table.
BY_ID = SortKey("pk", descending=False, kind="id")


def _value_of(row: Any, name: str | int) -> Any:
    if isinstance(name, int) or isinstance(row, dict):
        return row[name]
    value = row
    for part in name.split("__"):
        value = getattr(value, part)
    return value
