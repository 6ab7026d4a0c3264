"""Fixtures for the scheduled jobs: a fixed Monday, the notifications a job wrote, and
Celery in the test process."""

from __future__ import annotations

import datetime
from typing import Any

from permissions.models import Notification

# Every test here runs its Celery tasks in the test process.
from tests.helpers import tasks_run_here  # noqa: F401

# The media cell and its members, as the workflow tests have them.
from tests.workflow.conftest import cell_members, media_cell, media_cell_rule  # noqa: F401

# A Monday.
MONDAY = datetime.date(2026, 3, 2)


def notifications(kind: str, **filters: Any) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind, **filters).order_by("created_at", "id"))
