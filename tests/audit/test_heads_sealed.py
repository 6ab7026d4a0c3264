"""Recorded heads are sealed with the audit key and mailed off the machine, and a finished
verification result is final: what someone who can write the database, but holds no
key and no one's mailbox, can no longer pass off."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from permissions import audit, dbtriggers, outbox, schedules
from permissions.models import AuditEvent, AuditHead, AuditVerification, Notification
from permissions.models.notifications import DeliveryStatus, NotificationKind
from tests.helpers import (
    fresh,
    need_service,
    tasks_run_here,  # noqa: F401 - the outbox's Celery tasks run in this process
)

from .conftest import append, raw, triggers_lifted

# The portal's own database role, made as the app-role tests make it.
from .test_app_role_postgres import app_role  # noqa: F401

pytestmark = pytest.mark.django_db

HEADS = AuditHead._meta.db_table
RUNS = AuditVerification._meta.db_table
KEY_A = "a" * 8 + "-the-first-audit-key-0123456789"
KEY_B = "b" * 8 + "-the-second-audit-key-0123456789"
DIVISION = ["audit.records@establishment.gov.pk", "director.vigilance@establishment.gov.pk"]


@pytest.fixture(autouse=True)
def key_a(settings: Any) -> None:
    settings.AUDIT_KEY, settings.AUDIT_KEY_ID, settings.AUDIT_OLD_KEYS = KEY_A, "1", {}
    settings.AUDIT_HEAD_RECIPIENTS = []


def rotate_to_b(settings: Any) -> None:
    settings.AUDIT_KEY, settings.AUDIT_KEY_ID, settings.AUDIT_OLD_KEYS = KEY_B, "2", {"1": KEY_A}


def refused(action: Any) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        action()
    return str(caught.value)


# Sealed heads -----------------------------------------------------------------------------


def test_a_recorded_head_is_sealed_under_the_current_key() -> None:
    events = append(3)

    head = fresh(audit.record_head())

    assert (head.event_id, head.hash, head.count, head.key_id) == (
        events[-1].pk,
        events[-1].hash,
        3,
        "1",
    )
    assert head.mac == audit.seal(head, key=KEY_A) != audit.seal(head, key=KEY_B)
    report = audit.verify(since_head=True)
    assert (report.ok, report.heads_checked, report.heads_unsealed) == (True, 1, 0)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("count", 2),
        ("hash", "f" * 64),
        ("recorded_at", datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)),
        ("key_id", "2"),
    ],
)
def test_a_head_rewritten_behind_the_portal_fails_its_seal(
    settings: Any, column: str, value: object
) -> None:
    """As a superuser could: the triggers dropped, one field of a head changed. The key
    is in the environment, not the database, so the seal cannot be made again."""
    settings.AUDIT_OLD_KEYS = {"2": KEY_B}  # a key the rewritten head may name
    events = append(3)
    head = audit.record_head()
    with triggers_lifted():
        raw(f"UPDATE {HEADS} SET {column} = %s WHERE id = %s", [value, head.pk])

    report = audit.verify(since_head=True)

    assert (report.ok, report.bad_event_id) == (False, events[-1].pk)
    assert f"recorded head #{head.pk}" in report.problem
    assert "does not match its seal" in report.problem


def test_a_chain_cut_short_and_its_head_rewritten_to_fit_is_still_caught() -> None:
    """The attack the seal is for: cut off the newest events, then make the head agree
    with what is left. Without the key, the rewritten head does not verify."""
    events = append(5)
    head = audit.record_head()
    with triggers_lifted():
        raw(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id > %s", [events[2].pk])
        raw(
            f"UPDATE {HEADS} SET event_id = %s, hash = %s, count = 3 WHERE id = %s",
            [events[2].pk, events[2].hash, head.pk],
        )

    report = audit.verify(since_head=True)

    assert not report.ok
    assert f"recorded head #{head.pk}" in report.problem
    assert "does not match its seal" in report.problem


def test_a_head_stripped_of_its_seal_is_reported() -> None:
    events = append(2)
    head = audit.record_head()
    with triggers_lifted():
        raw(f"UPDATE {HEADS} SET mac = '', key_id = '' WHERE id = %s", [head.pk])

    report = audit.verify(since_head=True)

    assert (report.ok, report.bad_event_id) == (False, events[-1].pk)
    assert "has no seal" in report.problem and "its seal was removed" in report.problem


def test_a_head_naming_a_key_the_portal_does_not_have_is_reported() -> None:
    events = append(2)
    head = audit.record_head()
    with triggers_lifted():
        raw(f"UPDATE {HEADS} SET key_id = '9' WHERE id = %s", [head.pk])

    report = audit.verify(since_head=True)

    assert (report.ok, report.bad_event_id) == (False, events[-1].pk)
    assert f"recorded head #{head.pk}" in report.problem
    assert "the audit key '9', which is neither AUDIT_KEY_ID nor one of AUDIT_OLD_KEYS" in (
        report.problem
    )


def test_a_head_of_an_empty_chain_is_sealed_and_checked_too() -> None:
    head = audit.record_head()
    assert (head.event_id, head.count, head.hash) == (None, 0, audit.GENESIS)
    assert audit.verify(since_head=True).ok
    with triggers_lifted():
        raw(f"UPDATE {HEADS} SET count = 7 WHERE id = %s", [head.pk])

    report = audit.verify(since_head=True)

    assert not report.ok and "does not match its seal" in report.problem


def test_heads_from_before_seals_are_counted_unsealed_and_still_checked() -> None:
    """A head recorded by an earlier release, of an event of version 2: no seal to
    check, so it is counted as unsealed; its count is still compared with the chain."""
    event = AuditEvent(
        version=2,
        action="login",
        created_at=timezone.now().astimezone(datetime.UTC),
        prev_hash=audit.GENESIS,
    )
    event.hash = audit.compute_hash(event)
    event.save(force_insert=True)
    AuditHead.objects.create(event_id=event.pk, hash=event.hash, count=1)
    append(1)
    audit.record_head()

    report = audit.verify(since_head=True)

    assert (report.ok, report.heads_checked, report.heads_unsealed) == (True, 2, 1)
    AuditHead.objects.create(event_id=event.pk, hash=event.hash, count=5)
    report = audit.verify(since_head=True)
    assert not report.ok and "counted 5 events" in report.problem


def test_heads_sealed_before_a_change_of_key_still_verify_after_it(settings: Any) -> None:
    append(2)
    before = audit.record_head()
    rotate_to_b(settings)
    append(2)

    after = audit.record_head()

    assert (before.key_id, after.key_id) == ("1", "2")
    report = audit.verify(since_head=True)
    assert (report.ok, report.checked, report.heads_checked) == (True, 4, 2)


# Mailed heads -----------------------------------------------------------------------------


def test_each_head_is_mailed_to_every_division_address(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.AUDIT_HEAD_RECIPIENTS = DIVISION
    append(3)

    with django_capture_on_commit_callbacks(execute=True):
        head = audit.record_head()

    rows = list(Notification.objects.filter(kind=NotificationKind.AUDIT_HEAD).order_by("id"))
    assert [(row.recipient_id, row.address) for row in rows] == [(None, a) for a in DIVISION]
    assert [row.dedupe_key for row in rows] == [f"audit-head:{head.pk}:to:{a}" for a in DIVISION]
    assert {fresh(row).status for row in rows} == {DeliveryStatus.SENT}
    assert sorted(message.to[0] for message in mail.outbox) == sorted(DIVISION)
    for message in mail.outbox:
        assert "audit trail head" in message.subject
        # What an auditor compares with the chain later, and the seal that proves it.
        for value in (head.hash, head.mac, f"#{head.event_id}", str(head.count)):
            assert value in message.body
        # The moment exactly as the seal covers it, in UTC, to recompute the seal from.
        assert f"(UTC {head.recorded_at.astimezone(datetime.UTC):%Y-%m-%dT%H:%M:%S.%fZ})" in (
            message.body
        )
        assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "Dear" not in mail.outbox[0].body  # nobody by name: an office's address


def test_the_daily_job_mails_the_head_it_records(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.AUDIT_HEAD_RECIPIENTS = DIVISION[:1]
    append(2)

    with django_capture_on_commit_callbacks(execute=True):
        report = schedules.run("record_audit_head")

    assert report == {"events": 2, "newest_id": AuditEvent.objects.latest("pk").pk}
    assert [message.to for message in mail.outbox] == [DIVISION[:1]]


def test_the_mail_goes_out_only_once_the_head_is_committed(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.AUDIT_HEAD_RECIPIENTS = DIVISION
    append(1)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        audit.record_head()

    assert Notification.objects.filter(status=DeliveryStatus.PENDING).count() == 2
    assert mail.outbox == [] and len(callbacks) == 2


def test_a_head_rolled_back_leaves_no_mail_behind(settings: Any) -> None:
    settings.AUDIT_HEAD_RECIPIENTS = DIVISION
    append(1)

    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record_head()
        raise RuntimeError("the job failed after recording")

    assert not AuditHead.objects.exists()
    assert not Notification.objects.exists()


def test_no_addresses_no_mail() -> None:
    append(1)
    audit.record_head()
    assert not Notification.objects.exists()


def test_the_same_head_is_never_written_twice_to_one_address() -> None:
    head = audit.record_head()
    context = {"head": head}

    first = outbox.notify_addresses(
        addresses=[*DIVISION, DIVISION[0]], kind="audit_head", key="k", context=context
    )
    again = outbox.notify_addresses(addresses=DIVISION, kind="audit_head", key="k", context=context)

    assert len(first) == 2 and again == []


def test_an_address_too_long_for_the_dedupe_key_gets_its_digest() -> None:
    address = "records." + "x" * 200 + "@establishment.gov.pk"
    head = audit.record_head()

    [row] = outbox.notify_addresses(
        addresses=[address], kind="audit_head", key="k", context={"head": head}
    )

    assert row.address == address
    assert len(row.dedupe_key) <= 200 and address not in row.dedupe_key


# Finished verification results are final -------------------------------------------------


def test_a_finished_verification_cannot_be_changed_or_deleted() -> None:
    append(2)
    run = audit.run_verification()
    assert run.ok and run.finished_at is not None

    assert "is final" in refused(
        lambda: AuditVerification.objects.filter(pk=run.pk).update(ok=False)
    )
    run.problem = "forged"
    assert "is final" in refused(lambda: run.save())
    assert "is final" in refused(lambda: raw(f"UPDATE {RUNS} SET ok = %s", [False]))
    assert "is final" in refused(lambda: raw(f"DELETE FROM {RUNS} WHERE id = %s", [run.pk]))
    assert "is final" in refused(lambda: AuditVerification.objects.all().delete())
    assert (fresh(run).ok, fresh(run).problem) == (True, "")


def test_a_started_run_is_finished_once_and_may_be_cleared_until_then() -> None:
    """The portal writes a run twice (started, then finished): the finishing UPDATE is
    allowed, as is removing a run that never finished."""
    started = audit.start_verification()
    abandoned = audit.start_verification()

    finished = audit.finish_verification(started)
    AuditVerification.objects.filter(pk=abandoned.pk).delete()

    assert fresh(finished).finished_at is not None
    assert list(AuditVerification.objects.values_list("pk", flat=True)) == [started.pk]


def test_a_migration_puts_the_verification_triggers_back() -> None:
    run = audit.run_verification()
    dbtriggers.execute(connection, dbtriggers.remove_sql(connection.vendor))
    AuditVerification.objects.filter(pk=run.pk).update(problem="possible while they are gone")

    call_command("migrate", verbosity=0)

    assert "is final" in refused(lambda: AuditVerification.objects.filter(pk=run.pk).delete())


@pytest.mark.postgres
def test_truncating_the_verification_results_is_refused_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        need_service("PostgreSQL", "TRUNCATE triggers exist on PostgreSQL only")
    audit.run_verification()
    raw("SET CONSTRAINTS ALL IMMEDIATE")

    message = refused(lambda: raw(f"TRUNCATE {RUNS}"))

    assert "final" in message and "TRUNCATE" in message
    assert AuditVerification.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("reference_data")
def test_the_portals_own_role_finishes_a_run_but_cannot_change_its_result(
    app_role: str,  # noqa: F811 - the fixture imported above
) -> None:
    """The role deploy/postgres-app-role.sql sets up, as web, worker and beat run: it
    records a run and its result, and then neither it nor anything it can do to the
    table changes that result."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{app_role}"')
        run = audit.run_verification()
    assert run.ok

    for statement, refusal in (
        (f"UPDATE {RUNS} SET ok = false, problem = 'forged'", "is final"),
        (f"DELETE FROM {RUNS}", "is final"),
        (f"TRUNCATE {RUNS}", "permission denied"),
        (f"ALTER TABLE {RUNS} DISABLE TRIGGER USER", "must be owner"),
        (f"DROP TRIGGER {RUNS}_final ON {RUNS}", "must be owner"),
    ):
        assert refusal in refused_as(app_role, statement), statement
    assert (fresh(run).ok, fresh(run).problem) == (True, "")


def refused_as(role: str, sql: str) -> str:
    with (
        pytest.raises(DatabaseError) as caught,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f'SET LOCAL ROLE "{role}"')
        cursor.execute(sql)
    return str(caught.value)
