"""Many people acting at once on PostgreSQL: their events form one unbroken chain,
never a fork, whatever order the transactions commit in."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection, connections

from permissions import audit, workflow
from permissions.models import AuditEvent, PermissionRequest, User
from permissions.states import Status
from tests.conftest import REQUIRE_SERVICES, need_service
from tests.factories import UserFactory, submitted_request

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not ON_POSTGRES and not REQUIRE_SERVICES,
        reason="PostgreSQL is not available: concurrent appends need real connections",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("reference_data", "threads_run_eager_tasks"),
]

THREADS = 8
EACH = 25


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        need_service("PostgreSQL", "concurrent appends need real connections")


def at_once(work: list[Callable[[], None]]) -> list[BaseException]:
    barrier = threading.Barrier(len(work))
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        try:
            barrier.wait(timeout=10)
            job()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive()
    return errors


def test_many_threads_appending_at_once_leave_one_unbroken_chain() -> None:
    audit.record("login", comment="before")

    def appender(number: int) -> Callable[[], None]:
        def job() -> None:
            for index in range(EACH):
                audit.record("login", comment=f"thread {number} event {index}")

        return job

    errors = at_once([appender(number) for number in range(THREADS)])

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
    errors = at_once(work)

    assert errors == []
    assert set(
        PermissionRequest.objects.filter(pk__in=[r.pk for r in requests]).values_list(
            "status", flat=True
        )
    ) <= {Status.APPROVED, Status.PENDING, Status.WITHDRAWN}
    report = audit.verify()
    assert report.ok, report.problem
    assert report.checked == AuditEvent.objects.count()
