"""Walk the audit chain and say whether it holds: ``manage.py verify_audit``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from permissions import audit


class Command(BaseCommand):
    help = (
        "Check every audit event's HMAC and its link to the one before it, in batches; "
        "name the first event that does not hold. Exits 1 when the chain is broken."
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
            "--batch-size", type=int, default=audit.BATCH_SIZE, help="events read per query"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        run = audit.run_verification(
            since_head=options["since_head"], batch_size=options["batch_size"]
        )
        self.stdout.write(f"Checked {run.checked} events.")
        if options["since_head"]:
            self.stdout.write(f"Checked {run.heads_checked} recorded heads.")
        if not run.ok:
            raise CommandError(
                f"The audit chain is broken at event #{run.bad_event_id}: {run.problem}",
                returncode=1,
            )
        head = f"#{run.head_event_id} {run.head_hash}" if run.head_event_id else "(empty chain)"
        self.stdout.write(self.style.SUCCESS(f"The audit chain is intact. Head: {head}"))
