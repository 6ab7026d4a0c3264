"""Verification reads events as rows, not model instances: each row hashes exactly as its
event does, and the faster timestamp is the text the chain has always used."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from permissions import audit
from permissions.models import AuditEvent, User
from permissions.states import Action

pytestmark = pytest.mark.django_db


@given(
    st.datetimes(
        # Hypothesis takes naive bounds and adds the time zones itself.
        min_value=datetime.datetime(1000, 1, 2),  # noqa: DTZ001
        max_value=datetime.datetime(9999, 12, 30),  # noqa: DTZ001
        timezones=st.sampled_from([datetime.UTC, datetime.timezone(datetime.timedelta(hours=5))]),
    )
)
def test_the_timestamp_is_the_text_it_always_was(moment: datetime.datetime) -> None:
    assert audit._timestamp(moment) == moment.astimezone(datetime.UTC).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ"
    )


def test_each_row_hashes_as_its_event(servant: User) -> None:
    for ip, data in [
        ("203.0.113.9", {"b": [1, "ü"], "a": None}),
        ("2001:db8::1", {}),
        (None, {"comment": "وزارت"}),
        ("203.0.113.9", {"again": True}),
    ]:
        audit.record(Action.LOGIN, actor=servant, data=data, origin=audit.Origin(ip, "Firefox"))

    rows = list(audit._events(batch_size=3))
    events = list(AuditEvent.objects.order_by("pk"))

    assert [row.pk for row in rows] == [event.pk for event in events]
    for row, event in zip(rows, events, strict=True):
        assert audit.canonical(row) == audit.canonical(event)
        assert audit.compute_hash(row) == event.hash == row.hash
