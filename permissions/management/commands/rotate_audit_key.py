"""Change the audit chain's key: ``manage.py rotate_audit_key``, then, once the new values
are in place everywhere, ``manage.py rotate_audit_key --record``."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from permissions import audit

NEXT_STEPS = """\
A new audit key {new_id} to take over from key {current_id}. Nothing has changed yet: the
portal signs with key {current_id} until the three values below are in its environment.

1. Set them in the environment of web, worker and beat alike, in place of the present
   AUDIT_KEY, AUDIT_KEY_ID and AUDIT_OLD_KEYS. Key {current_id} moves to AUDIT_OLD_KEYS,
   so that what was made with it still verifies. Like AUDIT_KEY, keep them out of the
   database and its backups. (In a shell, quote AUDIT_OLD_KEYS: it may hold spaces.)
2. Restart web, worker and beat.
3. Run `manage.py rotate_audit_key --record`: it checks that the retired key still
   verifies the chain and records the change on it.

Never remove a key from AUDIT_OLD_KEYS: what was made with it verifies only with it.
"""


def next_key_id(ids: set[str]) -> str:
    """One more than the highest numbered id in use: never "1", which the events from
    before key ids stand for (AUDIT_FIRST_KEY_ID)."""
    return str(max([int(key_id) for key_id in ids if key_id.isdigit()] + [1]) + 1)


class Command(BaseCommand):
    help = (
        "Print a new audit key, its id and the keyring with the present key retired into "
        "it, to set in the environment; with --record, once they are set everywhere, "
        "check the switch and record it on the audit chain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--record",
            action="store_true",
            help=(
                "after the new values are set and web, worker and beat restarted: check "
                "that AUDIT_OLD_KEYS still verifies the last event made with the retired "
                "key, then record the change of key on the chain"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["record"]:
            self.record()
        else:
            self.new_key()

    def new_key(self) -> None:
        current_id: str = settings.AUDIT_KEY_ID
        current_key: str = settings.AUDIT_KEY
        if any(character.isspace() for character in current_key):
            raise CommandError(
                "AUDIT_KEY holds white space, which separates the entries of AUDIT_OLD_KEYS: "
                "the present key cannot be retired into it."
            )
        retired = {**settings.AUDIT_OLD_KEYS, current_id: current_key}
        new_id = next_key_id(set(retired))
        # Printed as written to an environment file: the steps go to stderr, so that
        # `rotate_audit_key > new-audit-key.env` keeps the values alone.
        self.stderr.write(NEXT_STEPS.format(new_id=new_id, current_id=current_id))
        self.stdout.write(f"AUDIT_KEY={secrets.token_urlsafe(48)}")
        self.stdout.write(f"AUDIT_KEY_ID={new_id}")
        self.stdout.write(
            "AUDIT_OLD_KEYS=" + " ".join(f"{key_id}:{key}" for key_id, key in retired.items())
        )

    def record(self) -> None:
        try:
            rotation = audit.record_key_rotation()
        except audit.KeyRotationError as error:
            raise CommandError(str(error), returncode=1) from error
        if rotation is None:
            self.stdout.write(
                f"Every event on the chain was made with key {settings.AUDIT_KEY_ID}: "
                f"there is no change of key to record."
            )
            return
        change = f"key {rotation.retired_id} retired, key {rotation.current_id} in use"
        if rotation.already_recorded:
            self.stdout.write(f"Already recorded as event #{rotation.event.pk}: {change}.")
            return
        self.stdout.write(self.style.SUCCESS(f"Recorded as event #{rotation.event.pk}: {change}."))
        self.stdout.write(
            "Check every event and head against the keyring: manage.py verify_audit --since-head"
        )
