from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from permissions import demo


class Command(BaseCommand):
    help = "Create demo organisations and people to sign in as. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off. Demo accounts share a published password.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: demo accounts with a published password do not belong on a "
                "real deployment. Pass --force to seed anyway."
            )
        # The demo history's notifications go through the outbox like any other, but its
        # mail is addressed to made-up people: deliver it to nowhere, so the console
        # shows the logins rather than a screenful of old mail.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            result = demo.seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {result.organisations} organisations, {result.people} people "
                f"({result.created_people} new), {result.created_requests} new demo requests."
            )
        )
        self.stdout.write(f"Every demo person signs in with the password: {demo.DEMO_PASSWORD}")
        self.stdout.write("Logins to start with:")
        for username, role in [
            ("servant", "servant (files requests)"),
            ("officer", "reporting officer (decides requests)"),
            ("auditor", "Establishment Division auditor (audit console)"),
            ("admin", "administrator (Django admin)"),
        ]:
            self.stdout.write(f"  {username:<10} {role}")
        demo.seeded.send(
            sender=self.__class__,
            usernames=[person.username for person in demo.PEOPLE],
            stdout=self.stdout,
        )
