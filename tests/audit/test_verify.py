"""verify_audit names the first event that does not hold, for each way of tampering
with the table, and an untouched chain verifies clean."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from permissions import audit
from permissions.models import AuditEvent, AuditHead, AuditVerification, User

from .conftest import append, raw, triggers_lifted

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table


def verify_audit(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except CommandError as error:
        return error.returncode, f"{out.getvalue()}{error}"
    return 0, out.getvalue()


def test_an_untouched_chain_over_several_batches_verifies_clean() -> None:
    """Two full batches and a part: each batch picks the chain up where the last one
    ended. bench/audit_chain.py walks 100,000."""
    events = append(25)

    code, output = verify_audit("--batch-size", "10")

    assert code == 0, output
    assert "Checked 25 events." in output
    assert f"Head: #{events[-1].pk} {events[-1].hash}" in output
    run = AuditVerification.objects.get()
    assert (run.ok, run.checked, run.head_event_id) == (True, 25, events[-1].pk)


def test_each_event_chains_onto_the_one_before() -> None:
    events = append(3)
    assert events[0].prev_hash == audit.GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert all(audit.compute_hash(AuditEvent.objects.get(pk=e.pk)) == e.hash for e in events)


def test_a_different_key_does_not_verify(settings: object) -> None:
    append(2)
    settings.AUDIT_KEY = "another-key-of-thirty-two-characters-at-least"  # type: ignore[attr-defined]
    report = audit.verify()
    assert not report.ok
    assert report.problem.startswith("hash mismatch")


def test_an_edited_field_is_a_hash_mismatch_at_that_event() -> None:
    events = append(5)
    with triggers_lifted():
        raw(f"UPDATE {TABLE} SET comment = %s WHERE id = %s", ["approved after all", events[2].pk])

    code, output = verify_audit()

    assert code == 1
    assert f"broken at event #{events[2].pk}: hash mismatch" in output
    assert "Checked 3 events." in output


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor_id", None),
        ("to_status", "approved"),
        ("ip_address", "10.9.8.7"),
        ("created_at", datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)),
        ("data", '{"forged": true}'),
    ],
)
def test_every_recorded_field_is_covered_by_the_hash(
    column: str, value: object, outsider: User
) -> None:
    events = append(3, to_status="pending", actor=outsider)
    with triggers_lifted():
        raw(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", [value, events[1].pk])

    report = audit.verify()

    assert (report.ok, report.bad_event_id) == (False, events[1].pk)
    assert report.problem.startswith("hash mismatch")


def test_a_recomputed_hash_without_the_key_still_breaks_the_link() -> None:
    """Someone who rewrites an event and recomputes its hash with a guessed key leaves
    the next event pointing at the old hash."""
    events = append(4)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.comment = "forged"
    forged_hash = audit.compute_hash(forged, key="a-guess-at-the-key-that-is-long-enough")
    with triggers_lifted():
        raw(
            f"UPDATE {TABLE} SET comment = %s, hash = %s WHERE id = %s",
            ["forged", forged_hash, events[1].pk],
        )

    report = audit.verify()

    assert (report.ok, report.bad_event_id) == (False, events[1].pk)


def test_a_deleted_middle_event_is_a_missing_predecessor_of_the_next() -> None:
    events = append(6)
    with triggers_lifted():
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [events[3].pk])

    code, output = verify_audit()

    assert code == 1
    assert f"broken at event #{events[4].pk}: missing predecessor" in output


def test_deleting_the_first_event_is_caught_too() -> None:
    events = append(3)
    with triggers_lifted():
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [events[0].pk])

    report = audit.verify()

    assert (report.ok, report.bad_event_id) == (False, events[1].pk)
    assert report.problem.startswith("missing predecessor")


def test_swapped_events_are_reported_as_reordered() -> None:
    events = append(6)
    first, second = events[2].pk, events[3].pk
    parking = max(e.pk for e in events) + 1000
    with triggers_lifted():
        raw(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [parking, first])
        raw(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [first, second])
        raw(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [second, parking])

    code, output = verify_audit()

    assert code == 1
    assert f"broken at event #{first}: reordered: its predecessor is event #{second}" in output


def test_cutting_off_the_newest_events_is_caught_by_the_recorded_head() -> None:
    events = append(5)
    audit.record_head()
    events += append(2)
    with triggers_lifted():
        raw(f"DELETE FROM {TABLE} WHERE id >= %s", [events[3].pk])

    # What is left is a sound chain, only shorter: the plain walk cannot tell.
    assert verify_audit()[0] == 0
    code, output = verify_audit("--since-head")

    assert code == 1
    assert f"broken at event #{events[4].pk}" in output
    assert "is no longer in the chain" in output


def test_heads_recorded_daily_all_check_out_on_an_intact_chain() -> None:
    for _day in range(3):
        append(4)
        audit.record_head()

    code, output = verify_audit("--since-head")

    assert code == 0, output
    assert "Checked 3 recorded heads." in output


def test_an_empty_chain_verifies() -> None:
    code, output = verify_audit("--since-head")
    assert code == 0
    assert "(empty chain)" in output


def test_the_walk_reads_in_batches_not_all_at_once() -> None:
    append(250)
    selects: list[str] = []

    def watch(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if TABLE in sql and sql.lstrip().upper().startswith("SELECT"):
            selects.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        report = audit.verify(batch_size=100)

    assert report.ok and report.checked == 250
    assert len(selects) == 3
    assert all("LIMIT 100" in sql.upper() for sql in selects)


def test_a_recorded_head_that_does_not_match_its_event_is_reported() -> None:
    events = append(4)
    # Sealed as record_head would: only the count is wrong.
    miscounted = AuditHead(
        event_id=events[2].pk, hash=events[2].hash, count=2, key_id=settings.AUDIT_KEY_ID
    )
    miscounted.mac = audit.seal(miscounted)
    miscounted.save()

    report = audit.verify(since_head=True)

    assert (report.ok, report.bad_event_id) == (False, events[2].pk)
    assert "counted 2 events" in report.problem


def test_checking_many_heads_costs_no_query_per_head() -> None:
    for _day in range(30):
        append(3)
        audit.record_head()
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        report = audit.verify(since_head=True, batch_size=1000)

    assert report.ok and report.heads_checked == 30
    assert len(queries) <= 3  # the heads, then one batch of events and the end
