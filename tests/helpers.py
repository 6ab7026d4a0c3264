"""What the tests share besides fixtures: days and clock times in Pakistan, rows read
again, services that may be missing, Celery configured for a while, threads that act at
the same moment, and rows written in bulk for the scale tests and for bench/."""

from __future__ import annotations

import base64
import datetime
import json
import os
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.db.models import Model
from django.test import Client
from django.utils import timezone

from permissions import audit, services, workflow
from permissions.models import AuditEvent, ConductRule, PermissionRequest, User
from permissions.states import Action, Status
from permissions.workflow import Approval
from tests.factories import draft_request, platform, submitted_request

ROOT = Path(__file__).resolve().parents[1]
PKT = ZoneInfo("Asia/Karachi")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") == "1"
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
MEDIA_CELL = "Establishment Division media cell"

RowT = TypeVar("RowT", bound=Model)
ResultT = TypeVar("ResultT")


# Days and clocks -----------------------------------------------------------------------


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """A clock time on `day` in Pakistan."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PKT)


def clock(moment: datetime.datetime) -> time_machine.travel:
    """Time stands still at `moment` inside the block."""
    return time_machine.travel(moment, tick=False)


# Rows ----------------------------------------------------------------------------------


def fresh(row: RowT) -> RowT:
    """The row as the database holds it now."""
    return type(row)._default_manager.get(pk=row.pk)


def approved_until(
    applicant: User, officer: User, until: datetime.date, **overrides: object
) -> PermissionRequest:
    """A request submitted and approved through the workflow, valid from today until
    `until`."""
    request = submitted_request(applicant, **overrides)
    workflow.approve(
        request.pk, by=officer, approval=Approval(valid_from=today(), valid_until=until)
    )
    return fresh(request)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def submitted_with_file(applicant: User, name: str = "talk.pdf") -> PermissionRequest:
    """A request with one attached PDF, submitted through the workflow."""
    draft = draft_request(applicant)
    services.attachment_add(
        request=draft, by=applicant, upload=SimpleUploadedFile(name, PDF, "application/pdf")
    )
    return workflow.submit(draft.pk, by=applicant, declaration=True)


def decided_with_files(servant: User, officer: User) -> dict[str, PermissionRequest]:
    """An approved, a rejected and a pending request, each with a file, through the
    workflow, and a draft: the rows the sweep of the records is tried on."""
    approved = submitted_with_file(servant)
    workflow.approve(approved.pk, by=officer)
    rejected = submitted_with_file(servant)
    workflow.reject(
        rejected.pk,
        by=officer,
        reason="It would breach Rule 22.",
        rule=ConductRule.objects.get(number="22"),
    )
    pending = submitted_with_file(servant)
    return {
        "approved": fresh(approved),
        "rejected": fresh(rejected),
        "pending": fresh(pending),
        "draft": draft_request(servant),
    }


def returned_and_resubmitted(
    servant: User, officer: User, *, returns: int, files: int
) -> PermissionRequest:
    """A pending request returned and resubmitted `returns` times: 1 + 2 x returns events,
    one round of steps per submission, and `files` attachments."""
    request = submitted_request(servant)
    for n in range(returns):
        workflow.return_for_clarification(request.pk, by=officer, reason=f"Clarify point {n}.")
        if n < files:
            services.attachment_add(
                request=fresh(request),
                by=servant,
                upload=SimpleUploadedFile(f"note-{n}.pdf", b"%PDF-1.4\n", "application/pdf"),
            )
        workflow.resubmit(request.pk, by=servant, declaration=True)
    return request


# Pages ---------------------------------------------------------------------------------


def page_queries(client: Client, url: str, bound: int, assert_max_num_queries: Any) -> int:
    """How many queries the page at `url` takes, failing above `bound` (pass the
    `django_assert_max_num_queries` fixture)."""
    with assert_max_num_queries(bound) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def keyset_cursor(value: object, pk: object) -> str:
    """A list's `after` parameter for the row after (value, pk), as the pages write it."""
    raw = json.dumps([value, pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# Queries -------------------------------------------------------------------------------


@contextmanager
def counted_statements(kind: Callable[[str], str]) -> Iterator[Counter[str]]:
    """Every statement sent to the database inside the block, counted under its kind."""
    counts: Counter[str] = Counter()

    def count(execute: Callable[..., Any], sql: str, *rest: Any) -> Any:
        counts[kind(sql)] += 1
        return execute(sql, *rest)

    with connection.execute_wrapper(count):
        yield counts


def sweep_statement(sql: str) -> str:
    """What a statement of a reminder sweep pays for: "outbox" (notify()'s inserts and
    its opt-out lookups), "savepoint" (notify() writes each row in a savepoint of its
    own), or "job" (everything else)."""
    text = sql.lstrip().upper()
    if "PERMISSIONS_NOTIFICATION" in text or "PERMISSIONS_EMAILPREFERENCE" in text:
        return "outbox"
    if text.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
        return "savepoint"
    return "job"


# Services that may be missing ----------------------------------------------------------


def need_service(name: str, reason: str) -> None:
    """Skip when a real service is missing, or fail when the run requires services."""
    message = f"{name} is not available: {reason}"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} (REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(message)


def tcp_reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def concurrent_on_postgres(reason: str) -> list[pytest.MarkDecorator]:
    """The marks of a module whose threads each act on a connection of their own, on
    committed rows. Without PostgreSQL its tests are skipped before any database set-up
    (a serialised rollback on a database that was never flushed would collide with the
    rows the migrations seeded), unless REQUIRE_SERVICES=1 makes that a failure."""
    return [
        pytest.mark.postgres,
        pytest.mark.skipif(
            not ON_POSTGRES and not REQUIRE_SERVICES,
            reason=f"PostgreSQL is not available: {reason}",
        ),
        pytest.mark.django_db(transaction=True, serialized_rollback=True),
        pytest.mark.usefixtures("reference_data", "threads_run_eager_tasks", "on_postgres"),
    ]


def at_once(*jobs: Callable[[], ResultT]) -> list[ResultT | BaseException]:
    """Start every job at the same moment, each in a thread with its own database
    connection; what each returned, or what it raised, in the order given."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[ResultT | BaseException] = [
        AssertionError("the job never finished") for _ in jobs
    ]

    def run(index: int, job: Callable[[], ResultT]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = job()
        except BaseException as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive()
    return outcomes


def errors_of(outcomes: list[Any]) -> list[BaseException]:
    return [outcome for outcome in outcomes if isinstance(outcome, BaseException)]


# Celery ------------------------------------------------------------------------------


@contextmanager
def celery_configured(**conf: Any) -> Iterator[None]:
    """The Celery app with these settings inside the block, and a result backend built
    afresh from them: the app caches the backend it first built, per thread, so an
    earlier block may have left one built for other settings. Everything is put back
    afterwards."""
    from conduct_portal.celery import app as celery_app

    app: Any = celery_app  # the backend cache is private to Celery, and untyped
    saved = {name: app.conf[name] for name in conf}
    backend = (app._backend_cache, getattr(app._local, "backend", None))
    app.conf.update(conf)
    app._backend_cache = None
    app._local.backend = None
    try:
        yield
    finally:
        app.conf.update(saved)
        app._backend_cache = backend[0]
        app._local.backend = backend[1]


def celery_results_in(url: str) -> AbstractContextManager[None]:
    """Let this process send tasks to the broker and wait on their results, kept at
    `url` (Redis)."""
    return celery_configured(result_backend=url, task_always_eager=False)


@pytest.fixture(autouse=True)
def tasks_run_here() -> Iterator[None]:
    """Autouse where a conftest imports it: every test there runs its Celery tasks in
    the test process, whatever REDIS_URL says."""
    with celery_configured(task_always_eager=True, task_eager_propagates=True):
        yield


# Rows in bulk: the scale tests and bench/ ------------------------------------------------


def bulk_approvals(
    valid_until: datetime.date, count: int, *, servants: int, prefix: str = "bulk"
) -> None:
    """`count` approvals shared among `servants` servants with one reporting officer,
    all valid until `valid_until` and decided a month ago; written with bulk_create,
    bypassing the workflow (no audit events, no notifications), for jobs that only read
    approved rows."""
    officer = User.objects.create(
        username=f"{prefix}-officer", email=f"{prefix}-officer@example.test"
    )
    people = User.objects.bulk_create(
        [
            User(
                username=f"{prefix}-servant-{n}",
                email=f"{prefix}-servant-{n}@example.test",
                first_name="Servant",
                last_name=str(n),
                reporting_officer=officer,
            )
            for n in range(servants)
        ],
        batch_size=1000,
    )
    decided = timezone.now() - days(30)
    television = platform("television")
    PermissionRequest.objects.bulk_create(
        (
            PermissionRequest(
                reference=f"MP-{prefix.upper()}-{n:07d}",
                applicant=people[n % servants],
                status=Status.APPROVED,
                round=1,
                platform=television,
                participation="interview",
                topic="Digital services for citizens",
                valid_from=valid_until - days(60),
                valid_until=valid_until,
                decided_at=decided,
            )
            for n in range(count)
        ),
        batch_size=2000,
    )


def chained_events(
    count: int, actor: User, *, per_second: int, start: datetime.datetime | None = None
) -> None:
    """`count` sign-in events chained onto the current head with the real HMAC, inserted
    in bulk (inserts are all the append-only triggers allow), `per_second` of them
    sharing each second from `start` (two days ago unless given). Every thousandth
    comment starts like a spreadsheet formula."""
    head = audit.head()
    previous = head.hash if head is not None else audit.GENESIS
    first = (start or timezone.now() - days(2)).astimezone(datetime.UTC)
    batch: list[AuditEvent] = []
    for n in range(count):
        event = AuditEvent(
            version=audit.VERSION,
            actor=actor,
            action=Action.LOGIN,
            comment=f"=event {n}" if n % 1000 == 0 else "",
            data={"n": n},
            ip_address="192.0.2.1",
            user_agent="bulk",
            created_at=first + datetime.timedelta(seconds=n // per_second),
            prev_hash=previous,
        )
        event.hash = audit.compute_hash(event)
        previous = event.hash
        batch.append(event)
        if len(batch) == 5_000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)


# Signing in ----------------------------------------------------------------------------


def give_app(user: User) -> Any:
    """The person's authenticator app, set up now if they have none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device


def give_app_if_needed(username: str) -> None:
    """Before a browser signs in as `username`: an app for those who must have one, so
    that they are asked for a code rather than sent to set one up."""
    from permissions.twofactor import policy

    user = User.objects.get(username=username)
    if policy.required_for(user):
        give_app(user)


def fresh_backup_code(username: str) -> str:
    """A new backup code of the person's, as printed for them: each works once."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    user = User.objects.get(username=username)
    device, _ = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": "Backup codes", "confirmed": True}
    )
    token = device.token_set.create(token=StaticToken.random_token())
    return f"{token.token[:4]}-{token.token[4:]}"


def pass_second_factor(client: Client, user: User) -> Client:
    """Let a signed-in client past the second factor, if `user` needs one: give them an
    authenticator app if they have none and mark the session verified with it, as the
    code form does. The form itself is tested in tests/twofactor/."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from permissions.twofactor import policy

    if not policy.required_for(user):
        return client
    device = give_app(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def sign_in(client: Client, user: User) -> Client:
    """Sign in through the login form, as a browser would, then past the second factor."""
    from tests.factories import PASSWORD

    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    assert client.session["_auth_user_id"] == str(user.pk)
    return pass_second_factor(client, user)
