"""An export of 100,000 audit events streams: the response is read a chunk at a time,
and each chunk comes from one bounded (LIMITed) query, so the server never holds more
than a batch of rows whatever the size of the log."""

from __future__ import annotations

import csv
import datetime
import io
import math
import re

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.utils import timezone

from permissions import audit
from permissions.console import selectors
from permissions.models import AuditEvent, User

pytestmark = pytest.mark.django_db

EVENTS = 100_000


def append_events(count: int, actor: User) -> None:
    """`count` events chained onto the current head, inserted in bulk (inserts are all the
    append-only triggers allow). Seven events share each second, so batches end in the
    middle of a run of equal times."""
    head = audit.head()
    previous = head.hash if head is not None else audit.GENESIS
    start = (timezone.now() - datetime.timedelta(days=2)).astimezone(datetime.UTC)
    batch: list[AuditEvent] = []
    for n in range(count):
        event = AuditEvent(
            version=audit.VERSION,
            actor=actor,
            action="login",
            data={"n": n},
            user_agent="bulk",
            created_at=start + datetime.timedelta(seconds=n // 7),
            prev_hash=previous,
        )
        event.hash = audit.compute_hash(event)
        previous = event.hash
        batch.append(event)
        if len(batch) == 10_000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)


def test_a_100k_event_export_streams_in_bounded_batches(
    auditor_browser: Client, auditor: User
) -> None:
    append_events(EVENTS, auditor)
    selects: list[str] = []

    def watch(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if sql.lstrip().upper().startswith("SELECT") and '"permissions_auditevent"' in sql:
            selects.append(sql)
        return execute(sql, params, many, context)

    response = auditor_browser.get("/audit/log/export.csv")
    assert isinstance(response, StreamingHttpResponse)
    total = AuditEvent.objects.count()  # the 100,000, the sign-in and the export itself
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
    assert chunks > total // 1000
    # One query per batch (one more when the last batch is exactly full), each LIMITed.
    assert len(selects) in {math.ceil(total / batch), total // batch + 1}
    assert all(re.search(r"\bLIMIT\s+\d+", sql) for sql in selects)
    assert all(f"LIMIT {batch}" in sql for sql in selects)
    # Newest first, as the log shows them.
    newest = list(
        AuditEvent.objects.order_by("-created_at", "-pk").values_list("pk", flat=True)[:5]
    )
    assert ids[:5] == newest
