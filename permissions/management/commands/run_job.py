"""Run one scheduled job now, as Celery beat would: ``manage.py run_job <name>``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from permissions.schedules import JOBS


class Command(BaseCommand):
    help = "Run one of the portal's scheduled jobs now. Every job is safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", help="the job to run (see --list)")
        parser.add_argument("--list", action="store_true", help="list the jobs and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for name, job in JOBS.items():
                summary = " ".join((job.__doc__ or "").strip().split("\n\n")[0].split())
                self.stdout.write(f"{name}: {summary}")
            return
        name = options["name"]
        if name not in JOBS:
            names = ", ".join(JOBS)
            if not name:
                raise CommandError(f"Name a job to run: {names}.")
            raise CommandError(f"There is no job called {name!r}. The jobs are: {names}.")
        report = JOBS[name]()
        details = ", ".join(f"{key} {value}" for key, value in report.items())
        self.stdout.write(self.style.SUCCESS(f"{name}: {details}"))
