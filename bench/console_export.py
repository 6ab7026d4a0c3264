"""How the audit console's exports behave over a long audit log.

    python bench/console_export.py --events 200000

Appends `--events` audit events to a fresh database (DATABASE_URL if set, which must
hold no audit events yet; otherwise a temporary SQLite file), then exports the whole
audit log as a background export job would (the job's task, called in this process),
as CSV and as XLSX. For each format it prints the rows, the queries, the seconds, the
rows a second, the bytes, and the most memory Python held at once while the export ran
(tracemalloc, measured in a second run because tracing slows everything down), with the
process's peak resident memory.

For a yardstick it first streams the same events, through the same keyset batches, from
a bare values_list() into csv.writer, with no labels, time zones or formula guard: the
CSV export's rows a second are printed as a share of that.

The events are chained with the real HMAC and inserted with bulk_create (inserts are
all the append-only triggers allow); a workflow-made log that long would take far
longer to build than to measure.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import start_django


def batch_or_other(sql: str) -> str:
    """A read of one batch of the log's rows (LIMITed to the export's batch size), or
    another statement (the job's claim, its progress, its notification...)."""
    from permissions.console.selectors import EXPORT_BATCH_SIZE

    text = sql.lstrip().upper()
    reads_a_batch = text.startswith("SELECT") and f"LIMIT {EXPORT_BATCH_SIZE}" in text
    return "batch" if reads_a_batch else "other"


def bare_csv(path: Path) -> int:
    """The yardstick: the export's fields and batches straight into csv.writer."""
    from permissions.console.selectors import (
        AUDIT_EXPORT_FIELDS,
        AUDIT_LOG_SORT,
        EXPORT_BATCH_SIZE,
    )
    from permissions.models import AuditEvent
    from permissions.paging import batches

    rows = 0
    with path.open("w", encoding="utf-8", newline="", buffering=1 << 20) as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        queryset = AuditEvent.objects.values_list(*AUDIT_EXPORT_FIELDS)
        for batch in batches(queryset, sort=AUDIT_LOG_SORT, size=EXPORT_BATCH_SIZE, key=(1, 0)):
            writer.writerows(batch)
            rows += len(batch)
    return rows


def timed(run: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, seconds untraced, peak traced MB of a second run)."""
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak / 1_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=100_000, help="audit events to create")
    parser.add_argument("--formats", default="csv,xlsx", help="formats to export (csv,xlsx)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="console-export-") as tmp:
        start_django(Path(tmp))
        from django.contrib.auth.models import Group
        from django.db import connection
        from django.test.utils import setup_test_environment
        from django.utils import timezone

        from permissions.console.selectors import EXPORT_BATCH_SIZE
        from permissions.exports import services
        from permissions.exports.models import ExportJob, ExportStatus
        from permissions.models import AUDITORS_GROUP, AuditEvent, User
        from tests.helpers import chained_events, counted_statements

        setup_test_environment()
        if AuditEvent.objects.exists():
            raise SystemExit("The database already holds audit events: give it a fresh one.")
        auditor = User.objects.create_user(username="bench-auditor")
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
        events = AuditEvent.objects.count()

        print(f"database       {connection.vendor}")
        print(f"events         {events}")
        print(f"created in     {created_in:.1f} s (bulk_create, not measured below)")

        bare_path = Path(tmp) / "bare.csv"
        bare_rows, bare_seconds, bare_peak = timed(lambda: bare_csv(bare_path))
        bare_rate = bare_rows / bare_seconds
        print("--- bare values_list -> csv.writer")
        print(f"rows           {bare_rows}")
        print(f"seconds        {bare_seconds:.1f}")
        print(f"rows/s         {bare_rate:.0f}")
        print(f"peak memory    {bare_peak:.1f} MB (Python allocations)")

        for fmt in args.formats.split(","):

            def export(fmt: str = fmt) -> ExportJob:
                job = ExportJob.objects.create(requested_by=auditor, what="audit_log", fmt=fmt)
                assert services.export_job_run(job.pk) == ExportStatus.READY  # noqa: S101
                return ExportJob.objects.get(pk=job.pk)

            with counted_statements(batch_or_other) as counts:
                job, seconds, peak = timed(export)
            rate = job.rows_written / seconds
            print(f"--- export job, {fmt}")
            print(f"rows           {job.rows_written}")
            print(f"queries        {sum(counts.values()) // 2} per run")
            print(f"  batches      {counts['batch'] // 2} (LIMIT {EXPORT_BATCH_SIZE} each)")
            print(f"bytes          {job.file_size}")
            print(f"seconds        {seconds:.1f}")
            print(f"rows/s         {rate:.0f}")
            if fmt == "csv":
                print(f"of bare        {rate / bare_rate:.0%}")
            print(f"peak memory    {peak:.1f} MB (Python allocations)")
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"process peak   {maxrss:.0f} MB resident (the whole run, events included)")
        connection.close()


if __name__ == "__main__":
    main()
