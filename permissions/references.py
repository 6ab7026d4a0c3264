"""Human references like MP-2026-000123: one counter per year, never reused."""

from __future__ import annotations

from django.db import connection

from .models import ReferenceSequence

PREFIX = "MP"


def next_reference(year: int) -> str:
    """Issue the next reference for `year`.

    One upsert statement both creates the year's counter and increments it, so two
    requests created at the same moment get different numbers on SQLite and PostgreSQL
    alike; the counter row stays locked until the caller's transaction ends, and a
    rolled-back number is simply skipped, never handed out twice.
    """
    table = connection.ops.quote_name(ReferenceSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last_number) VALUES (%s, 1) "  # noqa: S608 - table name is ours
            f"ON CONFLICT (year) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [year],
        )
        (number,) = cursor.fetchone()
    return f"{PREFIX}-{year}-{number:06d}"
