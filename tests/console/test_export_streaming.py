"""A short export of the audit log, sent at once, streams: the response is read a chunk
(a batch of rows) at a time, and each chunk comes from one bounded (LIMITed) query.
Batches are made small here, so that a thousand events make ten batches. Longer exports
are written by a background job (tests/exports/); bench/console_export.py measures that
over many events."""

from __future__ import annotations

import csv
import io
import math
import re

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client

from permissions.console import selectors
from permissions.models import AuditEvent, User
from tests.helpers import chained_events

pytestmark = pytest.mark.django_db

EVENTS = 1_000
BATCH = 100


def test_an_export_of_many_batches_streams_one_bounded_query_at_a_time(
    auditor_browser: Client,
    auditor: User,
    monkeypatch: pytest.MonkeyPatch,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setattr(selectors, "EXPORT_BATCH_SIZE", BATCH)
    settings.EXPORT_DIRECT_MAX_ROWS = 2 * EVENTS
    # Seven events share each second, so batches end in the middle of a run of equal
    # times.
    chained_events(EVENTS, auditor, per_second=7)
    selects: list[str] = []

    def watch(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if sql.lstrip().upper().startswith("SELECT") and '"permissions_auditevent"' in sql:
            selects.append(sql)
        return execute(sql, params, many, context)

    response = auditor_browser.get("/audit/log/export.csv")
    assert isinstance(response, StreamingHttpResponse)
    total = AuditEvent.objects.count()  # the thousand, the sign-in and the export itself
    assert total >= EVENTS + 2

    ids: list[int] = []
    chunks = 0
    with connection.execute_wrapper(watch):
        stream = iter(response.streaming_content)
        header = next(stream)
        assert not selects
        first_rows = next(stream)
        # The first rows are on their way after one query, long before the last is read.
        assert len(selects) == 1
        for chunk in [header, first_rows, *stream]:
            chunks += 1
            text = chunk.decode("utf-8-sig")
            for row in csv.reader(io.StringIO(text)):
                if row and row[0].isdigit():
                    ids.append(int(row[0]))

    batch = selectors.EXPORT_BATCH_SIZE
    assert len(ids) == total
    assert len(set(ids)) == total
    # The header, then a chunk a batch.
    assert chunks == 1 + math.ceil(total / batch)
    # One query per batch (one more when the last batch is exactly full), each LIMITed.
    assert len(selects) in {math.ceil(total / batch), total // batch + 1}
    assert all(re.search(r"\bLIMIT\s+\d+", sql) for sql in selects)
    assert all(f"LIMIT {batch}" in sql for sql in selects)
    # Newest first, as the log shows them.
    newest = list(
        AuditEvent.objects.order_by("-created_at", "-pk").values_list("pk", flat=True)[:5]
    )
    assert ids[:5] == newest
