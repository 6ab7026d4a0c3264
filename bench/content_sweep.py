"""How fast the nightly sweep checks every request's row and file against the chain.

    python bench/content_sweep.py --rows 20000 --files-every 4

Creates `--rows` approved requests (every `--files-every`th with a 100 kB file) in a
fresh database (DATABASE_URL if set, which must hold no requests yet; otherwise a
temporary SQLite file), each with one approval event on the chain that records its
decision and content digests as the workflow does, then runs
`permissions.integrity.sweep` once and prints rows, files, queries per batch, seconds
and rows per second. It then changes one row's `valid_until` behind the portal's back
and sweeps again, to show that the one mismatch is found among them all.

The rows and events are written in bulk (bypassing the workflow, whose figures are
elsewhere): the sweep only reads.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import tempfile
import time
from pathlib import Path

from common import start_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=20_000, help="approvals to create")
    parser.add_argument("--files-every", type=int, default=4, help="a file on every n-th")
    parser.add_argument("--file-kb", type=int, default=100, help="size of each file")
    parser.add_argument("--batch-size", type=int, default=None, help="requests per batch")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="content-sweep-") as tmp:
        start_django(Path(tmp), CELERY_TASK_ALWAYS_EAGER="false", MEDIA_ROOT=str(Path(tmp)))
        from django.core.files.base import ContentFile
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from permissions import audit, integrity
        from permissions.content import content_digest, decision_digest_with
        from permissions.models import Attachment, AuditEvent, PermissionRequest
        from permissions.states import Action, Status
        from tests.helpers import bulk_approvals

        if PermissionRequest.objects.exists():
            raise SystemExit("The database already holds requests: give the benchmark a fresh one.")
        batch_size = args.batch_size or integrity.BATCH_SIZE
        started = time.perf_counter()
        valid_until = timezone.localdate() + datetime.timedelta(days=30)
        bulk_approvals(valid_until, args.rows, servants=min(args.rows, 1_000), prefix="sweep")
        payload = b"%PDF-1.4\n" + b"x" * (args.file_kb * 1024)
        files = 0
        for request in PermissionRequest.objects.order_by("pk")[:: args.files_every]:
            attachment = Attachment(
                request=request,
                uploaded_by_id=request.applicant_id,
                original_name="script.pdf",
                content_type="application/pdf",
                size=len(payload),
                sha256=hashlib.sha256(payload).hexdigest(),
            )
            attachment.file.save("script.pdf", ContentFile(payload), save=False)
            attachment.save()
            files += 1
        head = audit.head()
        previous = head.hash if head is not None else audit.GENESIS
        events = []
        for request in PermissionRequest.objects.order_by("pk").prefetch_related("attachments"):
            event = AuditEvent(
                version=audit.VERSION,
                request=request,
                action=Action.APPROVE,
                from_status=Status.PENDING,
                to_status=Status.APPROVED,
                data={
                    "decision": decision_digest_with(request, None),
                    "content": content_digest(request),
                },
                user_agent="bench",
                created_at=timezone.now().astimezone(datetime.UTC),
                prev_hash=previous,
            )
            event.hash = audit.compute_hash(event)
            previous = event.hash
            events.append(event)
        AuditEvent.objects.bulk_create(events, batch_size=2000)
        created_in = time.perf_counter() - started

        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            clean = integrity.sweep(batch_size=batch_size, alert=False)
            seconds = time.perf_counter() - started

        tampered = PermissionRequest.objects.order_by("pk")[args.rows // 2]
        PermissionRequest.objects.filter(pk=tampered.pk).update(
            valid_until=valid_until + datetime.timedelta(days=3650)
        )
        started = time.perf_counter()
        dirty = integrity.sweep(batch_size=batch_size, alert=False)
        second = time.perf_counter() - started

        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
        batches = -(-args.rows // batch_size)
        print(f"database       {connection.vendor}")
        print(f"rows           {clean.requests_checked} ({args.rows} made)")
        print(f"files          {clean.files_checked} of {args.file_kb} kB ({files} made)")
        print(f"created in     {created_in:.1f} s (bulk, not measured below)")
        print(f"batches        {batches} of {batch_size}")
        print(f"queries        {len(queries)} ({len(queries) / batches:.1f} per batch)")
        print(f"mismatches     {len(clean.mismatches)} on the clean database")
        query_seconds = sum(float(q["time"]) for q in queries.captured_queries)
        print(f"in queries     {query_seconds:.1f} s; slowest:")
        for query in slowest:
            print(f"  {float(query['time']):.2f} s  {query['sql'][:150]}")
        print(f"seconds        {seconds:.1f}")
        print(f"rows/s         {args.rows / seconds:.0f}")
        print(f"after tamper   {[str(m) for m in dirty.mismatches]} in {second:.1f} s")
        connection.close()


if __name__ == "__main__":
    main()
