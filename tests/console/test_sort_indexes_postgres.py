"""On PostgreSQL the console's sorts by submission, decision and validity page through
an index each, not a sort of the whole table."""

from __future__ import annotations

import pytest
from django.db import connection

from permissions.console import selectors
from permissions.models import PermissionRequest
from tests.helpers import need_service

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("submitted", "request_submitted"),
        ("decided", "request_decided"),
        ("valid_until", "request_valid_until"),
    ],
)
def test_the_first_page_of_each_sort_is_an_index_scan(sort: str, index: str) -> None:
    if connection.vendor != "postgresql":
        need_service("PostgreSQL", "the NULLS LAST indexes exist on PostgreSQL only")
    _label, key = selectors.REQUEST_SORTS[sort]
    with connection.cursor() as cursor:
        # As if the table were large: the planner would otherwise rightly scan it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    plan = PermissionRequest.objects.order_by(*key.order_by())[:50].explain()

    assert f"Index Scan using {index}" in plan, plan
