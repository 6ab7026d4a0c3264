"""The audit tables refuse UPDATE, DELETE and (PostgreSQL) TRUNCATE in the database
itself: through the ORM, through raw SQL, whoever the client."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from permissions import audit
from permissions.models import AuditEvent, AuditHead
from tests.helpers import need_service

from .conftest import append, raw

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table
HEADS = AuditHead._meta.db_table


def refused(action: object) -> str:
    """Run `action` in a savepoint; return the database's error message."""
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        action()  # type: ignore[operator]
    return str(caught.value)


def test_the_orm_cannot_change_or_delete_an_event() -> None:
    [event] = append(1)
    event.comment = "rewritten"

    assert "append-only" in refused(lambda: event.save())
    assert "append-only" in refused(
        lambda: AuditEvent.objects.filter(pk=event.pk).update(comment="rewritten")
    )
    assert "append-only" in refused(lambda: event.delete())
    assert "append-only" in refused(lambda: AuditEvent.objects.all().delete())
    assert AuditEvent.objects.get(pk=event.pk).comment == "event 0"


def test_raw_sql_cannot_change_or_delete_an_event() -> None:
    [event] = append(1)

    assert "append-only" in refused(
        lambda: raw(f"UPDATE {TABLE} SET comment = %s WHERE id = %s", ["x", event.pk])
    )
    assert "append-only" in refused(lambda: raw(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk]))
    assert "append-only" in refused(lambda: raw(f"DELETE FROM {TABLE}"))
    assert AuditEvent.objects.filter(pk=event.pk, comment="event 0").exists()


def test_recorded_heads_are_append_only_too() -> None:
    append(2)
    head = audit.record_head()

    assert "append-only" in refused(lambda: AuditHead.objects.filter(pk=head.pk).update(count=1))
    assert "append-only" in refused(lambda: raw(f"DELETE FROM {HEADS}"))
    assert AuditHead.objects.get(pk=head.pk).count == 2


def test_appending_is_still_allowed() -> None:
    append(3)
    raw_count_before = AuditEvent.objects.count()
    audit.record("logout")
    assert AuditEvent.objects.count() == raw_count_before + 1


@pytest.mark.postgres
def test_truncate_is_refused_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        need_service("PostgreSQL", "TRUNCATE triggers exist on PostgreSQL only")
    append(2)
    audit.record_head()
    # Settle the inserts' deferred foreign-key checks, which would refuse a TRUNCATE in
    # this transaction for a reason of their own.
    raw("SET CONSTRAINTS ALL IMMEDIATE")

    for table in (TABLE, HEADS):
        message = refused(lambda table=table: raw(f"TRUNCATE {table} CASCADE"))  # type: ignore[misc]
        assert "append-only" in message and "TRUNCATE" in message
    assert AuditEvent.objects.count() == 2


def test_a_migration_that_rebuilds_the_table_gets_its_triggers_back() -> None:
    """SQLite rebuilds a table to alter a column, and the rebuild drops its triggers;
    every migrate puts them back."""
    from django.core.management import call_command

    from permissions import dbtriggers

    dbtriggers.execute(connection, dbtriggers.remove_sql(connection.vendor))
    [event] = append(1)
    AuditEvent.objects.filter(pk=event.pk).update(comment="possible while they are gone")

    call_command("migrate", verbosity=0)

    assert "append-only" in refused(lambda: AuditEvent.objects.all().delete())
