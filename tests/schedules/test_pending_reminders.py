"""Officers are reminded, once a day, of steps waiting longer than the SLA in working
days (Monday to Friday; Pakistan's weekend is Saturday and Sunday)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.utils import formats

from permissions import schedules, workflow
from permissions.models import Delegation, PermissionRequest, RoutingRule, User
from tests.factories import UserFactory, submitted_request
from tests.helpers import at, clock, days

from .conftest import MONDAY, notifications

pytestmark = pytest.mark.django_db

TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = (MONDAY + days(n) for n in range(1, 7))
NEXT_MONDAY = MONDAY + days(7)


def submitted_at(moment: datetime.datetime, applicant: User) -> PermissionRequest:
    with clock(moment):
        return submitted_request(applicant)


def reminders_after_run(moment: datetime.datetime) -> list[tuple[str, str]]:
    """Run the job at `moment`; the (recipient, request) pairs it reminded."""
    before = {row.pk for row in notifications("pending_reminder")}
    with clock(moment):
        schedules.pending_reminders()
    return [
        (row.recipient.username, row.request.reference)
        for row in notifications("pending_reminder")
        if row.pk not in before
    ]


@pytest.mark.parametrize(
    ("started", "not_yet", "due"),
    [
        (at(MONDAY, 10), at(THURSDAY, 9, 59), at(THURSDAY, 10, 1)),
        # Saturday and Sunday do not count.
        (at(FRIDAY, 15), at(MONDAY + days(9), 14, 59), at(MONDAY + days(9), 15, 1)),
        # Arriving at the weekend, the step starts waiting on Monday at midnight.
        (at(SATURDAY, 11), at(NEXT_MONDAY + days(2), 23, 59), at(NEXT_MONDAY + days(3), 0, 1)),
    ],
    ids=["monday-to-thursday", "friday-to-wednesday", "weekend-to-thursday"],
)
def test_the_reminder_fires_at_the_sla_and_not_before(
    servant: User,
    reporting_officer: User,
    started: datetime.datetime,
    not_yet: datetime.datetime,
    due: datetime.datetime,
) -> None:
    request = submitted_at(started, servant)

    assert reminders_after_run(not_yet) == []
    assert reminders_after_run(due) == [("reporting", request.reference)]


def test_at_most_one_reminder_a_day_then_one_each_following_day(
    servant: User, reporting_officer: User
) -> None:
    request = submitted_at(at(MONDAY, 10), servant)

    assert reminders_after_run(at(THURSDAY, 11)) == [("reporting", request.reference)]
    assert reminders_after_run(at(THURSDAY, 17)) == []
    assert reminders_after_run(at(FRIDAY, 9)) == [("reporting", request.reference)]
    assert reminders_after_run(at(FRIDAY, 9)) == []
    [first, second] = notifications("pending_reminder")
    assert formats.date_format(MONDAY) in first.body_text
    assert first.subject == f"Reminder: {request.reference} awaits your decision"
    assert second.created_at.date() == FRIDAY


def test_the_sla_comes_from_the_settings(
    servant: User, reporting_officer: User, settings: Any
) -> None:
    settings.PENDING_REMINDER_WORKING_DAYS = 1
    request = submitted_at(at(FRIDAY, 10), servant)

    assert reminders_after_run(at(NEXT_MONDAY, 9, 59)) == []
    assert reminders_after_run(at(NEXT_MONDAY, 10, 1)) == [("reporting", request.reference)]


def test_a_decided_request_is_not_reminded(servant: User, reporting_officer: User) -> None:
    request = submitted_at(at(MONDAY, 10), servant)
    with clock(at(TUESDAY, 10)):
        workflow.approve(request.pk, by=reporting_officer)

    assert reminders_after_run(at(FRIDAY, 10)) == []


def test_the_officers_delegate_is_reminded_too(servant: User, reporting_officer: User) -> None:
    acting = UserFactory(username="acting", designation="Deputy Secretary (acting)")
    Delegation.objects.create(
        delegator=reporting_officer,
        delegate=acting,
        starts_on=MONDAY,
        ends_on=FRIDAY,
        reason="Earned leave",
    )
    request = submitted_at(at(MONDAY, 10), servant)

    assert sorted(reminders_after_run(at(FRIDAY, 10))) == [
        ("acting", request.reference),
        ("reporting", request.reference),
    ]
    assert reminders_after_run(at(NEXT_MONDAY + days(1), 10)) == [("reporting", request.reference)]


def test_a_group_step_reminds_its_active_members_but_never_the_applicant(
    servant: User, reporting_officer: User
) -> None:
    cell = Group.objects.get(name="Establishment Division media cell")
    head = UserFactory(username="cell-head")
    retired = UserFactory(username="cell-retired", is_active=False)
    for member in (head, retired, servant):
        member.groups.add(cell)
    RoutingRule.objects.create(
        name="Media cell clearance",
        target=RoutingRule.Target.GROUP,
        group=cell,
        platform_categories=["television"],
    )
    request = submitted_at(at(MONDAY, 10), servant)
    with clock(at(MONDAY, 11)):
        workflow.approve(request.pk, by=reporting_officer)

    assert reminders_after_run(at(THURSDAY, 12)) == [("cell-head", request.reference)]


def test_many_waiting_steps_across_batches_are_each_reminded_once(
    servant: User, reporting_officer: User, other_officer: User
) -> None:
    subordinate = User.objects.get(username="other-subordinate")
    mine = [submitted_at(at(MONDAY, 10), servant) for _ in range(3)]
    theirs = [submitted_at(at(MONDAY, 10), subordinate) for _ in range(2)]

    with clock(at(THURSDAY, 12)):
        report = schedules.pending_reminders(batch_size=2)
        schedules.pending_reminders(batch_size=2)

    assert report["batches"] == 3
    assert sorted(
        (row.recipient.username, row.request.reference) for row in notifications("pending_reminder")
    ) == sorted(
        [("reporting", r.reference) for r in mine]
        + [("other-officer", r.reference) for r in theirs]
    )


@pytest.mark.parametrize(
    ("now", "working_days", "expected"),
    [
        (at(THURSDAY, 10), 3, at(MONDAY, 10)),
        (at(WEDNESDAY + days(7), 15), 3, at(FRIDAY, 15)),
        (at(SATURDAY, 12), 3, at(WEDNESDAY, 0)),
        (at(SUNDAY, 23), 1, at(FRIDAY, 0)),
        (at(NEXT_MONDAY, 0), 5, at(MONDAY, 0)),
    ],
)
def test_working_time_skips_saturday_and_sunday(
    now: datetime.datetime, working_days: int, expected: datetime.datetime
) -> None:
    assert schedules.working_time_before(now, working_days) == expected
