"""Walk the audit chain and say whether it holds: ``manage.py verify_audit``; with
``--content``, also whether every request and file is still what the chain recorded."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from permissions import audit
from permissions.integrity import what_label
from permissions.models import AuditVerification


def mismatch_line(mismatch: dict[str, Any]) -> str:
    """One kept mismatch as "<reference>: <what>: <detail>", the way integrity.Mismatch
    reads."""
    what = what_label(str(mismatch.get("what", "")))
    return f"{mismatch.get('reference')}: {what}: {mismatch.get('detail')}"


def _mismatches(count: int) -> str:
    return f"{count} mismatch" if count == 1 else f"{count} mismatches"


class Command(BaseCommand):
    help = (
        "Check every audit event's HMAC and its link to the one before it, in batches; "
        "name the first event that does not hold. With --content, also check every "
        "request's row and every attached file against the digests the chain recorded, "
        "and name each one that differs by its reference. Exits 1 when the chain is "
        "broken or a record does not match it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since-head",
            action="store_true",
            help=(
                "also check that every head recorded by the daily job is still in the "
                "chain (catches the newest events being cut off)"
            ),
        )
        parser.add_argument(
            "--content",
            action="store_true",
            help=(
                "also sweep every request's row and every file against the digests its "
                "latest audit events recorded (catches a status, validity, condition, "
                "topic or file changed outside the portal); each mismatch is raised to "
                "the auditors"
            ),
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=audit.BATCH_SIZE,
            help="events (and, with --content, requests) read per query",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        run = audit.run_verification(
            since_head=options["since_head"],
            batch_size=options["batch_size"],
            content=options["content"],
        )
        self.stdout.write(f"Checked {run.checked} events.")
        if options["since_head"]:
            self.stdout.write(f"Checked {run.heads_checked} recorded heads.")
        if options["content"]:
            self._content_summary(run)
        if not run.ok:
            raise CommandError(
                f"The audit chain is broken at event #{run.bad_event_id}: {run.problem}",
                returncode=1,
            )
        head = f"#{run.head_event_id} {run.head_hash}" if run.head_event_id else "(empty chain)"
        self.stdout.write(self.style.SUCCESS(f"The audit chain is intact. Head: {head}"))
        if options["content"] and not run.content_ok:
            raise CommandError(
                f"{_mismatches(run.mismatches_found)} between the records and the audit "
                f"chain; the auditors have been alerted.",
                returncode=1,
            )

    def _content_summary(self, run: AuditVerification) -> None:
        self.stdout.write(
            f"Checked {run.requests_checked} requests and {run.files_checked} files "
            f"against the audit chain."
        )
        for mismatch in run.mismatches:
            self.stdout.write(mismatch_line(mismatch))
        # The run keeps the first few hundred (audit.MISMATCHES_KEPT); it counts them all.
        unlisted = run.mismatches_found - len(run.mismatches)
        if unlisted > 0:
            self.stdout.write(f"… and {unlisted} more.")
        if run.content_ok:
            self.stdout.write(self.style.SUCCESS("The records match the audit chain."))
        else:
            self.stdout.write(
                self.style.ERROR(
                    f"{_mismatches(run.mismatches_found)} between the records and the audit chain."
                )
            )
