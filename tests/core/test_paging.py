"""The one keyset pager: every list and batch walks its rows the same way."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from permissions import audit
from permissions.models import AuditEvent, User
from permissions.paging import BY_ID, batches, page
from permissions.states import Action

pytestmark = pytest.mark.django_db


def _events(count: int) -> list[int]:
    return [audit.record(Action.LOGIN, comment=str(n)).pk for n in range(count)]


def test_batches_by_id_visit_every_row_once_a_query_per_batch() -> None:
    ids = _events(7)
    with CaptureQueriesContext(connection) as queries:
        seen = [
            row
            for batch in batches(
                AuditEvent.objects.values_list("pk", flat=False),
                sort=BY_ID,
                size=3,
                key=(0, 0),
            )
            for (row,) in batch
        ]
    assert seen == ids
    assert len(queries) == 3  # 3 + 3 + 1 rows
    assert all("OFFSET" not in q["sql"].upper() for q in queries.captured_queries)


def test_an_id_cursor_leads_on_and_a_forged_one_starts_over() -> None:
    ids = _events(5)
    first = page(AuditEvent.objects.all(), sort=BY_ID, cursor=None, size=2)
    assert [e.pk for e in first.rows] == ids[:2] and first.is_first
    second = page(AuditEvent.objects.all(), sort=BY_ID, cursor=first.next_cursor, size=2)
    assert [e.pk for e in second.rows] == ids[2:4] and not second.is_first
    for forged in ["", "%%%", "W1tdXQ", "x" * 1000, "WyJhIiwtMV0", "WyJhIiwxZTk5OV0"]:
        # empty; not base64; [[]]; oversized; a negative id; an id past 64 bits
        again = page(AuditEvent.objects.all(), sort=BY_ID, cursor=forged or None, size=2)
        assert again.is_first
        assert [e.pk for e in again.rows] == ids[:2]


@pytest.mark.parametrize("url", ["/requests/", "/inbox/", "/inbox/decided/", "/notifications/"])
@pytest.mark.parametrize(
    "cursor", ["%00", "not-base64!", "bnVsbA", "WzEsMl0" * 80, "WyIwMDAxIiwxXQ"]
)
def test_every_list_takes_any_cursor_without_failing(
    url: str, cursor: str, client: Client, reporting_officer: User, login
) -> None:
    login(reporting_officer)
    response = client.get(url, {"after": cursor})
    assert response.status_code == 200
