"""Database triggers that keep the audit tables append-only, whatever the client.

Installed by migration 0006 on PostgreSQL and SQLite. They refuse UPDATE and DELETE of
any row and, on PostgreSQL, TRUNCATE of the table; only dropping (or, on PostgreSQL,
disabling) the triggers gets past them, which takes the table owner's rights: run the
portal as a role that does not own the tables (README, "Deployment").
"""

from __future__ import annotations

from typing import Any

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

APPEND_ONLY_TABLES = ("permissions_auditevent", "permissions_audithead")

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def install_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        statements = [_PG_FUNCTION]
        for table in APPEND_ONLY_TABLES:
            statements += [
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION portal_append_only()",
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION portal_append_only()",
            ]
        return statements
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
            for table in APPEND_ONLY_TABLES
            for operation in ("UPDATE", "DELETE")
        ]
    raise NotImplementedError(f"No append-only triggers for the {vendor} database")


def remove_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        statements = []
        for table in APPEND_ONLY_TABLES:
            statements += [
                f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
                f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
            ]
        return [*statements, "DROP FUNCTION IF EXISTS portal_append_only()"]
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_{operation.lower()}"
            for table in APPEND_ONLY_TABLES
            for operation in ("UPDATE", "DELETE")
        ]
    raise NotImplementedError(f"No append-only triggers for the {vendor} database")


def execute(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def ensure(connection: BaseDatabaseWrapper) -> bool:
    """Put the triggers (back) in place, if the audit tables exist yet. Returns whether
    it did. On SQLite a migration that alters one of these tables rebuilds it, which
    drops its triggers; so this runs after every migrate, not only in migration 0006."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return False
    if not set(APPEND_ONLY_TABLES) <= set(connection.introspection.table_names()):
        return False
    with transaction.atomic(using=connection.alias):
        execute(connection, [*remove_sql(connection.vendor), *install_sql(connection.vendor)])
    return True


def reinstall_after_migrate(using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver (PermissionsConfig.ready)."""
    ensure(connections[using])
