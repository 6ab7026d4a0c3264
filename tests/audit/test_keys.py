"""The audit key can change: each event names the key it was made with, retired keys stay
in AUDIT_OLD_KEYS, and events made before and after a change all verify. rotate_audit_key
prints the new values and, once they are in place, records the change on the chain."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.utils import timezone

from conduct_portal.settings import audit_old_keys
from permissions import audit
from permissions.management.commands.rotate_audit_key import next_key_id
from permissions.models import AuditEvent
from permissions.states import Action
from tests.helpers import fresh

from .conftest import append, raw, triggers_lifted

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table
KEY_A = "a" * 8 + "-the-first-audit-key-0123456789"
KEY_B = "b" * 8 + "-the-second-audit-key-0123456789"
KEY_C = "c" * 8 + "-the-third-audit-key-0123456789"


@pytest.fixture(autouse=True)
def key_a(settings: Any) -> None:
    """Key A in use as key 1, as on a portal that never changed its key."""
    settings.AUDIT_KEY, settings.AUDIT_KEY_ID, settings.AUDIT_OLD_KEYS = KEY_A, "1", {}


def use(settings: Any, key: str, key_id: str, **old: str) -> None:
    """The environment after a change of key: `key` in use, the retired ones in `old`."""
    settings.AUDIT_KEY, settings.AUDIT_KEY_ID, settings.AUDIT_OLD_KEYS = key, key_id, old


def event_of_version(version: int) -> AuditEvent:
    """An event as an earlier release wrote it, chained onto the head: no key id."""
    previous = audit.head()
    event = AuditEvent(
        version=version,
        action="login",
        comment=f"written by release {version}",
        ip_address="2001:db8::1",
        created_at=timezone.now().astimezone(datetime.UTC),
        prev_hash=previous.hash if previous else audit.GENESIS,
    )
    event.hash = audit.compute_hash(event)
    event.save(force_insert=True)
    return event


def rotate_audit_key(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("rotate_audit_key", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), f"{err.getvalue()}{error}"
    return 0, out.getvalue(), err.getvalue()


# Events name their key -------------------------------------------------------------------


def test_events_made_before_and_after_a_change_of_key_all_verify(settings: Any) -> None:
    append(3)
    use(settings, KEY_B, "2", **{"1": KEY_A})
    append(2)
    use(settings, KEY_C, "3", **{"1": KEY_A, "2": KEY_B})
    append(1)

    report = audit.verify()

    assert (report.ok, report.checked) == (True, 6), report.problem
    keys = list(AuditEvent.objects.order_by("pk").values_list("key_id", flat=True))
    assert keys == ["1", "1", "1", "2", "2", "3"]
    assert {event.version for event in AuditEvent.objects.all()} == {audit.VERSION} == {3}


def test_an_event_whose_key_left_the_keyring_is_reported_by_its_key_id(settings: Any) -> None:
    events = append(2)
    use(settings, KEY_B, "2")  # key 1 replaced, but not kept in AUDIT_OLD_KEYS
    append(1)

    report = audit.verify()

    assert (report.ok, report.bad_event_id, report.checked) == (False, events[0].pk, 1)
    assert report.problem == (
        "unknown key: the event was made with the audit key '1', which is neither "
        "AUDIT_KEY_ID nor one of AUDIT_OLD_KEYS"
    )


def test_verify_audit_names_the_missing_key(settings: Any) -> None:
    append(1)
    use(settings, KEY_B, "2")

    with pytest.raises(CommandError) as caught:
        call_command("verify_audit", stdout=StringIO())

    assert "unknown key" in str(caught.value) and "'1'" in str(caught.value)


def test_a_retired_key_under_the_wrong_secret_is_a_hash_mismatch(settings: Any) -> None:
    [event] = append(1)
    use(settings, KEY_B, "2", **{"1": KEY_C})

    report = audit.verify()

    assert (report.ok, report.bad_event_id) == (False, event.pk)
    assert report.problem.startswith("hash mismatch")


def test_the_key_id_is_part_of_what_is_hashed(settings: Any) -> None:
    """Rewriting which key an event names breaks it, even where both ids hold the
    same secret."""
    use(settings, KEY_B, "2", **{"1": KEY_B})
    [event] = append(1)
    with triggers_lifted():
        raw(f"UPDATE {TABLE} SET key_id = '1' WHERE id = %s", [event.pk])

    report = audit.verify()

    assert (report.ok, report.bad_event_id) == (False, event.pk)
    assert report.problem.startswith("hash mismatch")


@pytest.mark.parametrize("version", [1, 2])
def test_events_from_before_key_ids_verify_with_the_first_key_where_it_is(
    settings: Any, version: int
) -> None:
    """Events without a key id were made with key "1" (AUDIT_FIRST_KEY_ID): AUDIT_KEY
    before the first change, AUDIT_OLD_KEYS' key 1 after it."""
    old = event_of_version(version)
    assert old.key_id == ""
    append(1)
    assert audit.verify().ok

    use(settings, KEY_B, "2", **{"1": KEY_A})
    append(1)

    assert audit.verify().checked == 3 and audit.verify().ok
    use(settings, KEY_B, "2")
    report = audit.verify()
    assert (report.ok, report.bad_event_id) == (False, old.pk)
    assert "the audit key '1'" in report.problem


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        (1, "5303ffa8a0184c88616f3ef6e92534758d553d3e8b0ea8e9a2c7c54ae75e5be1"),
        (2, "5d66ba00a8809627d980495dccaec2e68e6c71ed917fb666b2a7a91197c13395"),
    ],
)
def test_earlier_versions_hash_exactly_as_before_keys_had_ids(version: int, expected: str) -> None:
    """The hashes the code before key ids gave these events: nothing hashed then may
    hash differently now."""
    event = AuditEvent(
        version=version,
        action="approve",
        from_status="pending",
        to_status="approved",
        comment="Approved for the panel.",
        data={"n": 1, "urdu": "اجازت"},
        ip_address="2001:db8::1",
        user_agent="ua",
        created_at=datetime.datetime(2026, 11, 29, 10, 30, 0, 123456, tzinfo=datetime.UTC),
        prev_hash="ab" * 32,
    )

    assert audit.compute_hash(event, key="k" * 40) == expected
    assert b'"key"' not in audit.canonical(event)


# The keyring's format --------------------------------------------------------------------


def test_secrets_keep_their_punctuation_in_the_keyring() -> None:
    odd = "p,a:s=s;w#o'r\"d$-" + "x" * 20
    assert audit_old_keys(f"1:{odd}\n  old-2:{KEY_B}", current_id="3") == {"1": odd, "old-2": KEY_B}
    assert audit_old_keys("", current_id="1") == {}


@pytest.mark.parametrize(
    ("raw_value", "complaint"),
    [
        (f"{KEY_A}", "entry 1 is not"),
        (f"2:{KEY_A} two words:{KEY_B}", "entry 2 is not"),
        ("2:too-short", "at least 32 characters"),
        (f"1:{KEY_A}", "which is AUDIT_KEY_ID"),
        (f"2:{KEY_A} 2:{KEY_B}", "twice"),
    ],
)
def test_a_bad_keyring_is_refused_without_showing_a_secret(raw_value: str, complaint: str) -> None:
    with pytest.raises(ImproperlyConfigured) as caught:
        audit_old_keys(raw_value, current_id="1")

    assert complaint in str(caught.value) and "AUDIT_OLD_KEYS" in str(caught.value)
    assert KEY_A not in str(caught.value) and "aaaaaaaa" not in str(caught.value)


# rotate_audit_key -----------------------------------------------------------------------


def printed(output: str) -> dict[str, str]:
    lines = output.splitlines()
    assert [line.split("=", 1)[0] for line in lines] == [
        "AUDIT_KEY",
        "AUDIT_KEY_ID",
        "AUDIT_OLD_KEYS",
    ]
    return dict(line.split("=", 1) for line in lines)


def test_rotate_prints_a_new_key_and_the_keyring_with_the_present_key_retired(
    settings: Any,
) -> None:
    use(settings, KEY_B, "2", **{"1": KEY_A})

    code, output, steps = rotate_audit_key()

    assert code == 0
    values = printed(output)
    assert len(values["AUDIT_KEY"]) >= 32 and values["AUDIT_KEY"] not in (KEY_A, KEY_B)
    assert values["AUDIT_KEY_ID"] == "3"
    assert audit_old_keys(values["AUDIT_OLD_KEYS"], current_id="3") == {"1": KEY_A, "2": KEY_B}
    # The steps go to stderr, so the values alone can be written to a file.
    assert "Nothing has changed yet" in steps and "rotate_audit_key --record" in steps
    assert rotate_audit_key()[1] != output  # a fresh secret each time
    assert not AuditEvent.objects.exists()


def test_new_key_ids_count_up_and_never_reuse_the_first() -> None:
    assert next_key_id({"1"}) == "2"
    assert next_key_id({"1", "7", "3"}) == "8"
    assert next_key_id({"production"}) == "2"


def test_a_change_of_key_made_as_printed_verifies_and_is_recorded_once(settings: Any) -> None:
    """The whole change, as an operator makes it: print, set, restart, --record."""
    before = append(3)
    values = printed(rotate_audit_key()[1])
    use(
        settings,
        values["AUDIT_KEY"],
        values["AUDIT_KEY_ID"],
        **audit_old_keys(values["AUDIT_OLD_KEYS"], current_id=values["AUDIT_KEY_ID"]),
    )
    [meanwhile] = append(1)  # the restarted portal at work before --record ran

    code, output, _ = rotate_audit_key("--record")

    assert code == 0, output
    rotation = AuditEvent.objects.get(action=Action.AUDIT_KEY_ROTATED)
    assert f"Recorded as event #{rotation.pk}: key 1 retired, key 2 in use." in output
    assert (rotation.data, rotation.key_id) == ({"from": "1", "to": "2"}, "2")
    assert meanwhile.key_id == "2" and rotation.prev_hash == meanwhile.hash
    assert before[-1].key_id == "1"
    assert audit.verify().ok and audit.verify().checked == 5

    code, output, _ = rotate_audit_key("--record")

    assert (code, output.strip()) == (
        0,
        f"Already recorded as event #{rotation.pk}: key 1 retired, key 2 in use.",
    )
    assert AuditEvent.objects.filter(action=Action.AUDIT_KEY_ROTATED).count() == 1


def test_record_refuses_while_the_retired_key_is_missing_from_the_keyring(settings: Any) -> None:
    [event] = append(1)
    use(settings, KEY_B, "2")

    code, _, message = rotate_audit_key("--record")

    assert code == 1
    assert f"Event #{event.pk}, the last made with the key '1'" in message
    assert "AUDIT_OLD_KEYS has no key '1'" in message
    assert not AuditEvent.objects.filter(action=Action.AUDIT_KEY_ROTATED).exists()


def test_record_refuses_a_retired_key_with_the_wrong_secret(settings: Any) -> None:
    [event] = append(1)
    use(settings, KEY_B, "2", **{"1": KEY_C})

    code, _, message = rotate_audit_key("--record")

    assert code == 1
    assert f"key '1' does not verify event #{event.pk}" in message
    assert not AuditEvent.objects.filter(action=Action.AUDIT_KEY_ROTATED).exists()


def test_record_refuses_a_new_id_on_the_old_secret(settings: Any) -> None:
    append(1)
    use(settings, KEY_A, "2", **{"1": KEY_A})

    code, _, message = rotate_audit_key("--record")

    assert code == 1 and "AUDIT_KEY is still the secret of the retired key '1'" in message


def test_record_without_a_change_of_key_records_nothing(settings: Any) -> None:
    event_of_version(2)  # no key id: key 1, the one in use
    append(1)

    code, output, _ = rotate_audit_key("--record")

    assert code == 0 and "there is no change of key to record" in output
    assert not AuditEvent.objects.filter(action=Action.AUDIT_KEY_ROTATED).exists()


def test_record_after_a_second_change_names_the_key_last_used(settings: Any) -> None:
    append(1)
    use(settings, KEY_B, "2", **{"1": KEY_A})
    assert rotate_audit_key("--record")[0] == 0
    use(settings, KEY_C, "3", **{"1": KEY_A, "2": KEY_B})

    assert rotate_audit_key("--record")[0] == 0

    changes = AuditEvent.objects.filter(action=Action.AUDIT_KEY_ROTATED).order_by("pk")
    assert [change.data for change in changes] == [
        {"from": "1", "to": "2"},
        {"from": "2", "to": "3"},
    ]
    assert audit.verify().ok
    assert fresh(changes[1]).key_id == "3"
