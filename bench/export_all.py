"""The audit log's export of every event, as an auditor's export job writes it, against
the bare stream of the same rows through `values_list` into `csv.writer`.

    DATABASE_URL=... .venv/bin/python bench/export_all.py --fmt csv
    DATABASE_URL=... .venv/bin/python bench/export_all.py --fmt xlsx --open

Run against a database that holds the events (bench/run.py runs it on the generated
national data set, once per format, so each peak memory is that format's own). Prints
one JSON object as its last line: rows, seconds, rows/s, the process's peak memory, the
bare stream's rows/s over the same events, and with --open the rows an XLSX reader
finds in the file (openpyxl in read-only mode, sheet by sheet).
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from permissions.console.selectors import AUDIT_EXPORT_FIELDS  # noqa: E402
from permissions.exports.models import ExportJob, ExportStatus, ExportWhat  # noqa: E402
from permissions.exports.services import export_job_run  # noqa: E402
from permissions.models import AuditEvent, User  # noqa: E402

AUDITOR = "bench.auditor"


class Discard:
    def write(self, text: str) -> int:
        return len(text)


def bare_stream(limit: int) -> dict[str, Any]:
    """The yardstick: the same columns of the same events, straight into csv.writer."""
    writer = csv.writer(Discard())
    started = time.perf_counter()
    rows = 0
    for row in (
        AuditEvent.objects.order_by("id")
        .values_list(*AUDIT_EXPORT_FIELDS)[:limit]
        .iterator(chunk_size=2000)
    ):
        writer.writerow(row)
        rows += 1
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": round(seconds, 1), "rows_per_s": round(rows / seconds)}


def rows_in_xlsx(path: Path) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:
        # Each sheet has a header row.
        return sum(
            max(0, sum(1 for _row in sheet.iter_rows(values_only=True)) - 1)
            for sheet in workbook.worksheets
        )
    finally:
        workbook.close()


def rows_in_csv(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _row in csv.reader(handle)) - 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fmt", choices=["csv", "xlsx"], required=True)
    parser.add_argument("--open", action="store_true", help="read the file back and count")
    parser.add_argument("--bare", action="store_true", help="also time the bare stream")
    args = parser.parse_args()

    auditor = User.objects.get(username=AUDITOR)
    job = ExportJob.objects.create(requested_by=auditor, what=ExportWhat.AUDIT_LOG, fmt=args.fmt)
    started = time.perf_counter()
    status = export_job_run(job.pk)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    result: dict[str, Any] = {
        "fmt": args.fmt,
        "status": str(status),
        "error": job.error,
        "rows": job.rows_written,
        "seconds": round(seconds, 1),
        "rows_per_s": round(job.rows_written / seconds) if seconds else 0,
        "bytes": job.file_size,
        # Linux gives kilobytes.
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    if status == ExportStatus.READY and args.open:
        path = Path(job.file.path)
        opened = time.perf_counter()
        result["rows_read_back"] = rows_in_csv(path) if args.fmt == "csv" else rows_in_xlsx(path)
        result["read_back_seconds"] = round(time.perf_counter() - opened, 1)
    if status == ExportStatus.READY:
        # Gigabytes at national scale: measured, read back, then gone.
        job.file.delete(save=False)
    if args.bare:
        result["bare"] = bare_stream(job.rows_written or 10**9)
        result["ratio"] = round(result["rows_per_s"] / result["bare"]["rows_per_s"], 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
