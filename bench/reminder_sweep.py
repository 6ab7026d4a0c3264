"""How fast the expiry-reminder sweep runs over many approvals due on the same day.

    python bench/reminder_sweep.py --rows 100000

Creates `--rows` approved requests, all valid until seven days from now, in a fresh
database (DATABASE_URL if set, which must hold no requests yet; otherwise a temporary
SQLite file), runs `permissions.schedules.expiry_reminders` once, and prints rows,
queries (the job's own, notify()'s and the savepoints), seconds and rows per second.

The approvals are written directly with bulk_create, bypassing the workflow (no audit
events, no approval notifications): the sweep only reads approved rows, and a
workflow-made set of 100,000 would take far longer to build than to measure.

Each approval reminds its servant and their reporting officer, so the sweep writes two
outbox rows per approval: rendered together per batch (each piece of a template once per
distinct set of values it reads), written in one INSERT, and enqueued after commit as one
task per outbox.DELIVERY_CHUNK of them, on an in-memory broker (REDIS_URL and eager
Celery are switched off here), so the figures cover the job, not the sending.
"""

from __future__ import annotations

import argparse
import datetime
import tempfile
import time
from pathlib import Path

from common import start_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000, help="approvals to create")
    parser.add_argument("--servants", type=int, default=1_000, help="servants who own them")
    parser.add_argument("--batch-size", type=int, default=None, help="approvals per batch")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="reminder-sweep-") as tmp:
        start_django(Path(tmp), CELERY_TASK_ALWAYS_EAGER="false")
        from django.db import connection
        from django.utils import timezone

        from permissions import schedules
        from permissions.models import PermissionRequest
        from tests.helpers import bulk_approvals, counted_statements, sweep_statement

        if PermissionRequest.objects.exists():
            raise SystemExit("The database already holds requests: give the benchmark a fresh one.")
        batch_size = args.batch_size or schedules.BATCH_SIZE
        valid_until = timezone.localdate() + datetime.timedelta(days=7)
        started = time.perf_counter()
        bulk_approvals(valid_until, args.rows, servants=args.servants, prefix="bench")
        created_in = time.perf_counter() - started

        with counted_statements(sweep_statement) as counts:
            started = time.perf_counter()
            report = schedules.expiry_reminders(batch_size=batch_size)
            seconds = time.perf_counter() - started

        batches = max(report["batches"], 1)
        print(f"database       {connection.vendor}")
        print(f"rows           {args.rows}")
        print(f"created in     {created_in:.1f} s (bulk_create, not measured below)")
        print(f"reminded       {report['reminded']}")
        print(f"notifications  {report['notifications']}")
        print(f"batches        {report['batches']} of {batch_size}")
        print(f"queries        {sum(counts.values())}")
        print(f"  job          {counts['job']} ({counts['job'] / batches:.1f} per batch)")
        print(f"  outbox       {counts['outbox']} (inserts, and opt-outs once per batch)")
        print(f"  savepoints   {counts['savepoint']}")
        print(f"seconds        {seconds:.1f}")
        print(f"rows/s         {args.rows / seconds:.0f}")
        connection.close()


if __name__ == "__main__":
    main()
