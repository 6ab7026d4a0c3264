"""How fast the expiry-reminder sweep runs over many approvals due on the same day.

    python bench/reminder_sweep.py --rows 100000

Creates `--rows` approved requests, all valid until seven days from now, in a fresh
database (DATABASE_URL if set, which must hold no requests yet; otherwise a temporary
SQLite file), runs `permissions.schedules.expiry_reminders` once, and prints rows,
queries, seconds and rows per second.

The approvals are written directly with bulk_create, bypassing the workflow (no audit
events, no approval notifications): the sweep only reads approved rows, and a
workflow-made set of 100,000 would take far longer to build than to measure.

Each approval reminds its servant and their reporting officer, so the sweep writes two
outbox rows per approval. Their mail is enqueued on an in-memory broker (REDIS_URL and
eager Celery are switched off here), so the figures cover the job, not the sending.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent


def configure(workdir: Path) -> None:
    """Point the settings at the benchmark's database before Django starts."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conduct_portal.settings")
    os.environ["DATA_DIR"] = str(workdir)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ["REDIS_URL"] = ""
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def create_approvals(rows: int, servants: int, valid_until: datetime.date) -> None:
    from django.utils import timezone

    from permissions.models import PermissionRequest, Platform, User
    from permissions.states import Status

    if PermissionRequest.objects.exists():
        raise SystemExit("The database already holds requests: give the benchmark a fresh one.")
    officer = User.objects.create(username="bench-officer", email="bench-officer@example.test")
    people = User.objects.bulk_create(
        [
            User(
                username=f"bench-servant-{n}",
                email=f"bench-servant-{n}@example.test",
                first_name="Servant",
                last_name=str(n),
                reporting_officer=officer,
            )
            for n in range(servants)
        ],
        batch_size=1000,
    )
    platform = Platform.objects.filter(category="television").first() or Platform.objects.create(
        name="Bench television", category="television"
    )
    decided = timezone.now() - datetime.timedelta(days=30)
    PermissionRequest.objects.bulk_create(
        (
            PermissionRequest(
                reference=f"MP-BENCH-{n:07d}",
                applicant=people[n % servants],
                status=Status.APPROVED,
                round=1,
                platform=platform,
                participation="interview",
                topic="Digital services for citizens",
                valid_from=valid_until - datetime.timedelta(days=60),
                valid_until=valid_until,
                decided_at=decided,
            )
            for n in range(rows)
        ),
        batch_size=2000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000, help="approvals to create")
    parser.add_argument("--servants", type=int, default=1_000, help="servants who own them")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="reminder-sweep-") as tmp:
        workdir = Path(tmp)
        configure(workdir)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from permissions import schedules

        call_command("migrate", verbosity=0)
        valid_until = timezone.localdate() + datetime.timedelta(days=7)
        started = time.perf_counter()
        create_approvals(args.rows, args.servants, valid_until)
        created_in = time.perf_counter() - started

        queries = 0

        def count(execute: Callable[..., Any], sql: str, *rest: Any) -> Any:
            nonlocal queries
            queries += 1
            return execute(sql, *rest)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            report = schedules.expiry_reminders()
            seconds = time.perf_counter() - started

        print(f"database       {connection.vendor}")
        print(f"rows           {args.rows}")
        print(f"created in     {created_in:.1f} s (bulk_create, not measured below)")
        print(f"reminded       {report['reminded']}")
        print(f"notifications  {report['notifications']}")
        print(f"batches        {report['batches']}")
        print(f"queries        {queries}")
        print(f"seconds        {seconds:.1f}")
        print(f"rows/s         {args.rows / seconds:.0f}")
        connection.close()


if __name__ == "__main__":
    main()
