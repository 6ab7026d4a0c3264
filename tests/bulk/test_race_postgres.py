"""The applicant withdraws one of the chosen requests while the officer's bulk approval
runs. The withdrawal holds the request's lock when the batch comes to it: the batch
waits there, then finds the request withdrawn, leaves it as it is, says so, and decides
the rest."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.test import Client

from permissions import workflow
from permissions.models import AuditEvent, Notification, PermissionRequest, User
from permissions.states import Status
from tests.helpers import at_once, concurrent_on_postgres, errors_of

from .conftest import BULK, RESULT, ids, text

pytestmark = concurrent_on_postgres("the race needs real concurrent connections")


def someone_waits_on_my_locks(within: float = 30.0) -> bool:
    """Whether another connection comes to wait on a lock this connection holds.

    PostgreSQL says who blocks whom (pg_blocking_pids); asking again every few
    milliseconds is how a lock wait is seen from outside, not a guess at a duration."""
    deadline = time.monotonic() + within
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # pg_stat_activity is read once per transaction unless its snapshot is
            # cleared, and this connection is inside the transaction holding the lock.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))"
            )
            (waiting,) = cursor.fetchone()
            if waiting:
                return True
            threading.Event().wait(0.005)
    return False


def test_a_request_withdrawn_during_the_bulk_approval_is_left_withdrawn_and_named(
    browser: Callable[[User], Client],
    reporting_officer: User,
    pending_requests: Callable[[int], list[PermissionRequest]],
) -> None:
    requests = pending_requests(50)
    target = requests[24]
    officer = browser(reporting_officer)
    withdrawal_holds_the_lock = threading.Event()
    batch_waited: list[bool] = []

    def applicant_withdraws() -> None:
        with transaction.atomic():
            # The withdrawal has begun: it holds the request's row, as workflow.withdraw
            # does from its first statement, until the batch is seen waiting for it.
            PermissionRequest.objects.select_for_update().get(pk=target.pk)
            withdrawal_holds_the_lock.set()
            batch_waited.append(someone_waits_on_my_locks())
            workflow.withdraw(target.pk, by=target.applicant, reason="The programme moved.")

    def officer_approves_all() -> int:
        assert withdrawal_holds_the_lock.wait(timeout=30)
        response = officer.post(BULK, {"selected": ids(requests), "decision": "approve"})
        return response.status_code

    outcomes = at_once(applicant_withdraws, officer_approves_all)

    assert errors_of(outcomes) == []
    assert outcomes[1] == 302
    # The race was real: the batch came to the request and waited on its lock.
    assert batch_waited == [True]
    statuses = {r.pk: r.status for r in PermissionRequest.objects.filter(pk__in=ids(requests))}
    assert statuses.pop(target.pk) == Status.WITHDRAWN
    assert set(statuses.values()) == {Status.APPROVED}
    assert len(statuses) == 49
    approvals = AuditEvent.objects.filter(action="approve")
    assert approvals.count() == 49
    assert not approvals.filter(request_id=target.pk).exists()
    assert AuditEvent.objects.filter(action="withdraw", request_id=target.pk).count() == 1
    assert Notification.objects.filter(kind="approved").count() == 49
    assert not Notification.objects.filter(kind="approved", request_id=target.pk).exists()

    page = text(officer.get(RESULT).content.decode())
    assert "49 requests approved." in page
    assert "1 request not decided: it was no longer waiting for you." in page
    assert f"{target.reference} was withdrawn by the applicant before your decision." in page
