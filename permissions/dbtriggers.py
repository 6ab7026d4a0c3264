"""Database triggers that keep the audit tables append-only, whatever the client.

Installed by migration 0006 on PostgreSQL and SQLite. They refuse UPDATE and DELETE of
any audit event or recorded head and, on PostgreSQL, TRUNCATE of their tables; only
dropping (or, on PostgreSQL, disabling) the triggers gets past them, which takes the
table owner's rights: run the portal as a role that does not own the tables (README,
"Deployment").

A verification run is written twice: started, then finished with its result (audit.py).
Once finished it is final: triggers (migration 0013) refuse UPDATE and DELETE of a
finished run, and TRUNCATE of the table on PostgreSQL, so the portal's own database role
cannot turn a broken chain's result into an intact one after the fact.

`install_sql` and `remove_sql` cover every one of these triggers: migration 0006 on a
new database installs them all, and `ensure` puts them all back after each migrate.
"""

from __future__ import annotations

from typing import Any

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

APPEND_ONLY_TABLES = ("permissions_auditevent", "permissions_audithead")
# Rows that may change until finished_at is set, and never after.
FINAL_ONCE_FINISHED = "permissions_auditverification"

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""

_PG_FINAL_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_final_once_finished() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION '%: finished verifications are final: TRUNCATE refused', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.finished_at IS NOT NULL THEN
        RAISE EXCEPTION '%: a finished verification is final: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$
"""


def final_install_sql(vendor: str) -> list[str]:
    """The triggers that keep a finished verification run as it was finished."""
    table = FINAL_ONCE_FINISHED
    if vendor == "postgresql":
        return [
            _PG_FINAL_FUNCTION,
            f"CREATE TRIGGER {table}_final BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION portal_final_once_finished()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION portal_final_once_finished()",
        ]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {table}_final_{operation.lower()} BEFORE {operation} ON {table} "
            f"FOR EACH ROW WHEN OLD.finished_at IS NOT NULL "
            f"BEGIN SELECT RAISE(ABORT, '{table}: a finished verification is final: "
            f"{operation} refused'); END"
            for operation in ("UPDATE", "DELETE")
        ]
    raise NotImplementedError(f"No final-once-finished triggers for the {vendor} database")


def final_remove_sql(vendor: str) -> list[str]:
    table = FINAL_ONCE_FINISHED
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_final ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
            "DROP FUNCTION IF EXISTS portal_final_once_finished()",
        ]
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_final_{operation.lower()}"
            for operation in ("UPDATE", "DELETE")
        ]
    raise NotImplementedError(f"No final-once-finished triggers for the {vendor} database")


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
        return [*statements, *final_install_sql(vendor)]
    if vendor == "sqlite":
        return [
            *(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
                for table in APPEND_ONLY_TABLES
                for operation in ("UPDATE", "DELETE")
            ),
            *final_install_sql(vendor),
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
        return [
            *statements,
            "DROP FUNCTION IF EXISTS portal_append_only()",
            *final_remove_sql(vendor),
        ]
    if vendor == "sqlite":
        return [
            *(
                f"DROP TRIGGER IF EXISTS {table}_no_{operation.lower()}"
                for table in APPEND_ONLY_TABLES
                for operation in ("UPDATE", "DELETE")
            ),
            *final_remove_sql(vendor),
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
    tables = {*APPEND_ONLY_TABLES, FINAL_ONCE_FINISHED}
    if not tables <= set(connection.introspection.table_names()):
        return False
    with transaction.atomic(using=connection.alias):
        execute(connection, [*remove_sql(connection.vendor), *install_sql(connection.vendor)])
    return True


def reinstall_after_migrate(using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver (PermissionsConfig.ready)."""
    ensure(connections[using])
