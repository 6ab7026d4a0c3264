"""Whatever an event is given, the row the database gives back hashes to what was
recorded: on SQLite and on PostgreSQL alike (run the suite with DATABASE_URL)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from permissions import audit
from permissions.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "data",
    [
        {"x": 1e16},
        {"x": 1e100},
        {"x": -0.0},
        {"x": 0.1},
        {"big": 2**70},
        {"when": datetime.date(2026, 11, 29), "amount": Decimal("12.50")},
        {1: "one", "1b": "mixed keys"},
        {"nested": [{"a": [1, 2.5, None, True]}], "urdu": "اجازت"},
        {"nul": "a\x00b", "surrogate": "\ud800"},
    ],
)
def test_any_data_reads_back_as_it_was_hashed(data: dict[object, object]) -> None:
    event = audit.record("login", data=data)  # type: ignore[arg-type]

    stored = AuditEvent.objects.get(pk=event.pk)

    assert audit.compute_hash(stored) == stored.hash
    assert audit.verify().ok


@pytest.mark.parametrize(
    "address", ["::192.0.2.1", "::1:2", "::2:0", "::ffff:192.0.2.1", "2001:db8::1", "10.0.0.1"]
)
def test_any_client_address_reads_back_as_it_was_hashed(address: str) -> None:
    event = audit.record("login", origin=audit.Origin(ip_address=address))

    stored = AuditEvent.objects.get(pk=event.pk)

    assert stored.version == audit.VERSION
    assert audit.compute_hash(stored) == stored.hash


def test_text_the_database_cannot_hold_is_replaced_not_refused() -> None:
    event = audit.record(
        "access.denied",
        comment="line\r\nnext\x00",
        origin=audit.Origin(user_agent="agent\x00" + "é" * 400),
    )

    stored = AuditEvent.objects.get(pk=event.pk)

    assert stored.comment == "line\r\nnext\ufffd"
    assert stored.user_agent.startswith("agent\ufffd") and len(stored.user_agent) == 300
    assert audit.compute_hash(stored) == stored.hash


def test_events_of_the_first_version_still_verify() -> None:
    event = audit.record("login", origin=audit.Origin(ip_address="10.0.0.1"))
    first_version = AuditEvent(**{**_fields(event), "version": 1})

    first_version.hash = audit.compute_hash(first_version)

    assert audit.compute_hash(first_version) == first_version.hash != event.hash


def _fields(event: AuditEvent) -> dict[str, object]:
    return {
        field.attname: getattr(event, field.attname)
        for field in AuditEvent._meta.concrete_fields
        if field.attname != "id"
    }
