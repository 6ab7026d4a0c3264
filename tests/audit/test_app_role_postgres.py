"""The README's deployment advice works: a role granted what deploy/postgres-app-role.sql
grants can run the portal and append to the audit trail, but cannot rewrite it, delete
from it, truncate it or lift its triggers."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator

import pytest
from django.db import DatabaseError, connection, transaction

from permissions import audit
from permissions.models import AuditEvent, Notification
from tests.helpers import ROOT, need_service

SCRIPT = ROOT / "deploy" / "postgres-app-role.sql"

# Transactional: roles and grants are made on connections of their own (as an operator
# would), which must not wait on locks held by an open test transaction.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture
def app_role() -> Iterator[str]:
    if connection.vendor != "postgresql":
        need_service("PostgreSQL", "database roles exist on PostgreSQL only")
    psql = shutil.which("psql")
    if psql is None:
        need_service("psql", "the PostgreSQL client is not installed")
    role = f"portal_app_{uuid.uuid4().hex[:8]}"
    settings = connection.settings_dict

    def run_psql(*arguments: str) -> None:
        result = subprocess.run(
            [
                psql,
                "-h", settings["HOST"] or "127.0.0.1",
                "-p", str(settings["PORT"] or 5432),
                "-U", settings["USER"],
                "-d", settings["NAME"],
                "-v", "ON_ERROR_STOP=1",
                *arguments,
            ],
            env={"PGPASSWORD": settings["PASSWORD"] or ""},
            capture_output=True,
            text=True,
            timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr

    run_psql("-c", f'CREATE ROLE "{role}" NOLOGIN')
    try:
        # The script exactly as the README says to run it.
        run_psql("-v", f"app_role={role}", "-f", str(SCRIPT))
        yield role
    finally:
        run_psql("-c", f'DROP OWNED BY "{role}"', "-c", f'DROP ROLE "{role}"')


def as_role(role: str, sql: str, params: list[object] | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{role}"')
        cursor.execute(sql, params or [])


def refused(role: str, sql: str, params: list[object] | None = None) -> str:
    with pytest.raises(DatabaseError) as caught:
        as_role(role, sql, params)
    return str(caught.value)


def test_the_app_role_appends_but_cannot_rewrite_the_audit_trail(app_role: str) -> None:
    event = audit.record("login", comment="before")
    table = AuditEvent._meta.db_table

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{app_role}"')
        appended = audit.record("logout", comment="as the portal's own role")
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone()[0] == 2
        # The portal's other tables stay writable.
        cursor.execute(f"UPDATE {Notification._meta.db_table} SET read_at = NULL WHERE id = 0")
    assert appended.prev_hash == event.hash

    for statement in (
        f"UPDATE {table} SET comment = 'x'",
        f"DELETE FROM {table}",
        f"TRUNCATE {table}",
        f"ALTER TABLE {table} DISABLE TRIGGER USER",
        f"DROP TRIGGER {table}_append_only ON {table}",
    ):
        message = refused(app_role, statement)
        assert "permission denied" in message or "must be owner" in message, statement
    assert audit.verify().ok
