"""Indexes for the audit console's sorts by submission, decision and validity.

They order empty values last (`NULLS LAST`), as the console pages them, which only
PostgreSQL can index; on SQLite (the embedded default, small by nature) there is none.
They live outside the models' state for that reason."""

from django.db import migrations

INDEXES = {
    "request_submitted": '"submitted_at" DESC NULLS LAST, "id" DESC',
    "request_decided": '"decided_at" DESC NULLS LAST, "id" DESC',
    "request_valid_until": '"valid_until" ASC NULLS LAST, "id" ASC',
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "permissions_permissionrequest" ({columns})'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("permissions", "0006_audit_chain"),
    ]

    operations = [migrations.RunPython(create, drop)]
