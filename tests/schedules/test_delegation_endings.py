"""A delegation that runs to its last day ends by itself: both officers hear of it once,
the day after, whether the job runs once, twice or a few days late."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from permissions import schedules, services
from permissions.models import Delegation, User
from permissions.workflow import SYSTEM
from tests.helpers import at, clock, days

from .conftest import MONDAY, notifications

pytestmark = pytest.mark.django_db


def delegate(by: User, to: User, *, until_day: int) -> Delegation:
    with clock(at(MONDAY, 9)):
        return services.delegation_create(
            by=by, to=to, starts=MONDAY, ends=MONDAY + days(until_day), origin=SYSTEM
        )


def test_both_officers_hear_once_the_day_after_the_last_day(
    reporting_officer: User,
    countersigning_officer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    delegation = delegate(reporting_officer, countersigning_officer, until_day=4)
    announced_on = {}
    for offset in range(0, 9):
        for hour in (0, 9, 23):
            with clock(at(MONDAY + days(offset), hour)):
                with django_capture_on_commit_callbacks(execute=True):
                    report = schedules.delegation_endings()
                if report["notifications"]:
                    announced_on[offset] = report["notifications"]

    assert announced_on == {5: 2}
    rows = notifications("delegation_ended")
    assert sorted(row.recipient_id for row in rows) == sorted(
        [reporting_officer.pk, countersigning_officer.pk]
    )
    assert all(f"delegation_ended:{delegation.pk}:" in row.dedupe_key for row in rows)
    ended = [m for m in mail.outbox if "has ended" in m.subject]
    assert sorted(m.to[0] for m in ended) == sorted(
        [reporting_officer.email, countersigning_officer.email]
    )


def test_a_run_a_few_days_late_still_announces_it(
    reporting_officer: User, countersigning_officer: User
) -> None:
    delegate(reporting_officer, countersigning_officer, until_day=1)
    with clock(at(MONDAY + days(1 + schedules.DELEGATION_LOOKBACK_DAYS), 9)):
        assert schedules.delegation_endings()["notifications"] == 2
    with clock(at(MONDAY + days(2 + schedules.DELEGATION_LOOKBACK_DAYS), 9)):
        assert schedules.delegation_endings()["notifications"] == 0
    assert len(notifications("delegation_ended")) == 2


def test_a_delegation_ended_early_is_not_announced_a_second_time(
    reporting_officer: User, countersigning_officer: User
) -> None:
    delegation = delegate(reporting_officer, countersigning_officer, until_day=4)
    with clock(at(MONDAY + days(2), 9)):
        services.delegation_end(delegation=delegation, by=reporting_officer, origin=SYSTEM)
    assert len(notifications("delegation_ended")) == 2

    with clock(at(MONDAY + days(5), 9)):
        assert schedules.delegation_endings() == {
            "batches": 0,
            "reminded": 0,
            "notifications": 0,
            "failed": 0,
        }
    assert len(notifications("delegation_ended")) == 2


def test_a_second_run_costs_one_query_per_batch_not_one_insert_per_delegation(
    reporting_officer: User,
    countersigning_officer: User,
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(30):
        delegate(reporting_officer, countersigning_officer, until_day=1)
    with clock(at(MONDAY + days(3), 9)):
        assert schedules.delegation_endings()["notifications"] == 60
        with django_assert_max_num_queries(3):
            assert schedules.delegation_endings()["notifications"] == 0
