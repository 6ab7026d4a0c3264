"""What a visit to the dashboard costs once its figures have been computed."""

from __future__ import annotations

from typing import Any

from django.test import Client

from permissions.console import dashboard
from tests.helpers import page_queries

# The snapshot, the organisation tree, the two live lists with their counts, the newest
# verifications, and what every signed-in page reads (session, user, roles, inbox badge).
DASHBOARD_QUERIES = 11


def dashboard_queries(client: Client, assert_max_num_queries: Any) -> int:
    """The queries of a visit that finds fresh figures: the same whatever the data size,
    since the grouped counts are read from the snapshot, not from the tables."""
    dashboard.refresh()
    return page_queries(client, "/audit/", DASHBOARD_QUERIES, assert_max_num_queries)
