"""Many people acting at once on PostgreSQL: their events form one unbroken chain,
never a fork, whatever order the transactions commit in."""

from __future__ import annotations

from collections.abc import Callable

from permissions import audit, workflow
from permissions.models import AuditEvent, PermissionRequest, User
from permissions.states import Status
from tests.factories import UserFactory, submitted_request
from tests.helpers import at_once, concurrent_on_postgres, errors_of

pytestmark = concurrent_on_postgres("concurrent appends need real connections")

THREADS = 8
EACH = 25


def test_many_threads_appending_at_once_leave_one_unbroken_chain() -> None:
    audit.record("login", comment="before")

    def appender(number: int) -> Callable[[], None]:
        def job() -> None:
            for index in range(EACH):
                audit.record("login", comment=f"thread {number} event {index}")

        return job

    errors = errors_of(at_once(*[appender(number) for number in range(THREADS)]))

    assert errors == []
    report = audit.verify()
    assert report.ok, report.problem
    assert report.checked == AuditEvent.objects.count() == 1 + THREADS * EACH
    assert AuditEvent.objects.values("prev_hash").distinct().count() == report.checked


def test_concurrent_decisions_on_different_requests_chain_in_commit_order(
    servant: User, reporting_officer: User
) -> None:
    servants = [UserFactory(reporting_officer=reporting_officer) for _ in range(THREADS)]
    requests = [submitted_request(person) for person in [servant, *servants]]

    def approve(request: PermissionRequest) -> Callable[[], None]:
        return lambda: workflow.approve(request.pk, by=reporting_officer)

    def withdraw(request: PermissionRequest) -> Callable[[], None]:
        return lambda: workflow.withdraw(request.pk, by=request.applicant)

    work = [(approve if index % 2 else withdraw)(request) for index, request in enumerate(requests)]
    errors = errors_of(at_once(*work))

    assert errors == []
    assert set(
        PermissionRequest.objects.filter(pk__in=[r.pk for r in requests]).values_list(
            "status", flat=True
        )
    ) <= {Status.APPROVED, Status.PENDING, Status.WITHDRAWN}
    report = audit.verify()
    assert report.ok, report.problem
    assert report.checked == AuditEvent.objects.count()
