"""Keyset pagination: pages follow a cursor on (a timestamp, id), never a deep OFFSET,
and no list counts its whole table."""

from __future__ import annotations

import base64
import binascii
import datetime
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime

M = TypeVar("M", bound=models.Model)


@dataclass
class KeysetPage(Generic[M]):
    rows: list[M]
    next_cursor: str | None
    is_first: bool


def encode_cursor(moment: datetime.datetime, pk: int) -> str:
    raw = f"{moment.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime.datetime, int] | None:
    """A cursor from the URL; anything malformed simply means the first page."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment_text, pk_text = base64.urlsafe_b64decode(padded).decode().split("|", 1)
        moment = parse_datetime(moment_text)
        pk = int(pk_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if moment is None or timezone.is_naive(moment):
        return None
    return moment, pk


def keyset_page(
    queryset: models.QuerySet[M],
    *,
    cursor: str | None,
    size: int,
    field: str,
    newest_first: bool = True,
) -> KeysetPage[M]:
    """One page of `queryset` ordered by (`field`, id), starting after `cursor`."""
    position = decode_cursor(cursor)
    if newest_first:
        ordered = queryset.order_by(f"-{field}", "-pk")
        if position is not None:
            moment, pk = position
            ordered = ordered.filter(
                models.Q(**{f"{field}__lt": moment}) | models.Q(**{field: moment, "pk__lt": pk})
            )
    else:
        ordered = queryset.order_by(field, "pk")
        if position is not None:
            moment, pk = position
            ordered = ordered.filter(
                models.Q(**{f"{field}__gt": moment}) | models.Q(**{field: moment, "pk__gt": pk})
            )
    rows = list(ordered[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = encode_cursor(_value(last, field), last.pk)
    return KeysetPage(rows=rows, next_cursor=next_cursor, is_first=position is None)


def _value(row: models.Model, field: str) -> datetime.datetime:
    value = row
    for part in field.split("__"):
        value = getattr(value, part)
    assert isinstance(value, datetime.datetime)  # noqa: S101 - cursor fields are timestamps
    return value
