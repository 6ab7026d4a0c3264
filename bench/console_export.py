"""How the audit console's exports behave over a long audit log.

    python bench/console_export.py --events 100000

Appends `--events` audit events to a fresh database (DATABASE_URL if set, which must
hold no audit events yet; otherwise a temporary SQLite file), then downloads the audit
log as CSV and as XLSX through the console, as an auditor would, reading each response
to the end. For each format it prints the rows, the queries, the seconds, the bytes,
and the most memory Python held at once while the export ran (tracemalloc, measured in
a second run because tracing slows everything down).

The events are chained with the real HMAC and inserted with bulk_create (inserts are
all the append-only triggers allow); a workflow-made log that long would take far
longer to build than to measure.
"""

from __future__ import annotations

import argparse
import datetime
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from common import start_django

PASSWORD = "bench-console-export"  # noqa: S105 - a throwaway account in a temporary database


def batch_or_page(sql: str) -> str:
    """A read of one batch of the log's rows (LIMITed to the export's batch size), or one
    of the page's own few statements."""
    from permissions.console.selectors import EXPORT_BATCH_SIZE

    text = sql.lstrip().upper()
    reads_a_batch = text.startswith("SELECT") and f"LIMIT {EXPORT_BATCH_SIZE}" in text
    return "batch" if reads_a_batch else "page"


def download(client: Any, url: str) -> tuple[int, int, int]:
    """Read the response to the end: (chunks, bytes, rows)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code  # noqa: S101
    chunks = size = lines = 0
    for chunk in response.streaming_content:
        chunks += 1
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    return chunks, size, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=100_000, help="audit events to create")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="console-export-") as tmp:
        start_django(Path(tmp))
        from django.contrib.auth.models import Group
        from django.db import connection
        from django.test import Client
        from django.test.utils import setup_test_environment
        from django.utils import timezone

        from permissions.console.selectors import EXPORT_BATCH_SIZE
        from permissions.models import AUDITORS_GROUP, AuditEvent, User
        from tests.helpers import chained_events, counted_statements

        setup_test_environment()
        if AuditEvent.objects.exists():
            raise SystemExit("The database already holds audit events: give it a fresh one.")
        auditor = User.objects.create_user(username="bench-auditor", password=PASSWORD)
        auditor.groups.add(Group.objects.get(name=AUDITORS_GROUP))
        started = time.perf_counter()
        chained_events(
            args.events,
            auditor,
            per_second=3,
            start=timezone.now() - datetime.timedelta(days=30),
        )
        created_in = time.perf_counter() - started
        if connection.vendor == "postgresql":
            # What autovacuum does soon after a bulk load: without statistics the planner
            # takes the fresh table for a small one and sorts it instead of using the index.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE permissions_auditevent")
        client = Client()
        client.login(username="bench-auditor", password=PASSWORD)

        print(f"database       {connection.vendor}")
        print(f"events         {AuditEvent.objects.count()}")
        print(f"created in     {created_in:.1f} s (bulk_create, not measured below)")
        for fmt in ("csv", "xlsx"):
            url = f"/audit/log/export.{fmt}"
            with counted_statements(batch_or_page) as counts:
                started = time.perf_counter()
                chunks, size, lines = download(client, url)
                seconds = time.perf_counter() - started
            tracemalloc.start()
            download(client, url)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"--- {fmt}")
            print(f"queries        {sum(counts.values())}")
            print(f"  batches      {counts['batch']} (LIMIT {EXPORT_BATCH_SIZE} each)")
            print(f"chunks         {chunks}")
            print(f"bytes          {size}")
            if fmt == "csv":
                print(f"lines          {lines}")
            print(f"seconds        {seconds:.1f}")
            print(f"rows/s         {args.events / seconds:.0f}")
            print(f"peak memory    {peak / 1_000_000:.1f} MB (Python allocations)")
        connection.close()


if __name__ == "__main__":
    main()
