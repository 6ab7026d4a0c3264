"""Helpers for the audit chain's tests: appending events, and tampering the way someone
with the table owner's rights could (lifting the triggers for a moment)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from permissions import audit, dbtriggers
from permissions.models import AuditEvent


def append(count: int, action: str = "login", **fields: object) -> list[AuditEvent]:
    return [
        audit.record(action, comment=f"event {number}", **fields)  # type: ignore[arg-type]
        for number in range(count)
    ]


@contextmanager
def triggers_lifted() -> Iterator[None]:
    """Drop the append-only triggers, and put them back afterwards."""
    with transaction.atomic():
        dbtriggers.execute(connection, dbtriggers.remove_sql(connection.vendor))
        try:
            yield
        finally:
            dbtriggers.execute(connection, dbtriggers.install_sql(connection.vendor))


def raw(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
