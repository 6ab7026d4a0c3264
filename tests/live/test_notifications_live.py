"""Notifications on the real stack: a `celery worker` process takes them from Redis,
reads the outbox in PostgreSQL and hands them to an SMTP server listening on loopback.
The server can refuse (451) or hold a message in DATA, to play an outage or a worker
that dies mid-send."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from kombu.exceptions import OperationalError

from permissions import emails, outbox, workflow
from permissions.models import Notification, PermissionRequest, User
from permissions.models.notifications import DeliveryStatus
from permissions.states import Status
from permissions.tasks import deliver_notification
from tests.factories import draft_request
from tests.helpers import ROOT, need_service, tcp_reachable

DEADLINE = 60.0

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("reference_data"),
]


def wait_for(predicate: Callable[[], bool], what: str, explain: Callable[[], str]) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {DEADLINE:.0f}s\n{explain()}")


def holds_for(seconds: float, predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert predicate(), what
        time.sleep(0.2)
    assert predicate(), what


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MailServer:
    """Records what it accepts. `refuse` answers that many DATA commands with 451;
    `hold` keeps the next DATA (already received) waiting for `release()`."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refused = 0
        self.refuse = 0
        self.hold = False
        self.holding = threading.Event()
        self._release = threading.Event()
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import asyncio

        with self._lock:
            if self.refuse:
                self.refuse -= 1
                self.refused += 1
                return "451 4.3.0 Try again later"
            message = message_from_bytes(envelope.content, policy=policy.default)
            self.messages.append(message)  # type: ignore[arg-type]
            hold, self.hold = self.hold, False
        if hold:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self._release.wait, DEADLINE)
        return "250 2.0.0 Queued"

    def release(self) -> None:
        self._release.set()

    def to(self, user: User) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"] == user.email]

    def count(self) -> int:
        with self._lock:
            return len(self.messages)

    def summary(self) -> str:
        with self._lock:
            return "\n".join(f"{m['To']}: {m['Subject']} {m['Message-ID']}" for m in self.messages)


@pytest.fixture
def redis_url() -> str:
    if connection.vendor != "postgresql":
        need_service("PostgreSQL", "DATABASE_URL does not point at PostgreSQL")
    url = settings.REDIS_URL
    if not url or not tcp_reachable(url, 6379):
        need_service("Redis", "REDIS_URL is not set or not reachable")
    return url


@pytest.fixture
def mail_server() -> Iterator[tuple[MailServer, int]]:
    handler = MailServer()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        handler.release()
        controller.stop()


@pytest.fixture
def queue(redis_url: str) -> Iterator[str]:
    """A queue of this test's own, on the configured Redis, for the sending side too."""
    import redis

    from conduct_portal.celery import app

    name = f"notify-test-{uuid.uuid4().hex[:10]}"
    saved = (app.conf.task_default_queue, app.conf.task_always_eager)
    backend = (app._backend_cache, getattr(app._local, "backend", None))
    app.conf.task_default_queue = name
    app.conf.task_always_eager = False
    try:
        yield name
    finally:
        app.conf.task_default_queue, app.conf.task_always_eager = saved
        app._backend_cache = backend[0]
        app._local.backend = backend[1]
        client = redis.Redis.from_url(redis_url)
        client.delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
        for tag, raw in client.hgetall("unacked").items():
            try:
                _payload, _exchange, routing_key = json.loads(raw)
            except ValueError:
                continue
            if routing_key == name:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
        client.close()


class Workers:
    def __init__(self, tmp_path: Path, env: dict[str, str], queue: str) -> None:
        self.tmp_path = tmp_path
        self.env = env
        self.queue = queue
        self.running: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = self.tmp_path / f"worker-{len(self.running)}.log"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "conduct_portal",
                "worker",
                "--loglevel=INFO",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                self.queue,
                "-n",
                f"{self.queue}-{len(self.running)}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append((process, log))
        wait_for(
            lambda: process.poll() is None and " ready." in log.read_text(errors="replace"),
            "the worker starting",
            self.logs,
        )
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=DEADLINE)

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-6000:]}" for _p, log in self.running
        )

    def stop(self) -> None:
        for process, _log in self.running:
            if process.poll() is None:
                process.terminate()
        for process, _log in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=20)


@pytest.fixture
def workers(
    redis_url: str, queue: str, mail_server: tuple[MailServer, int], tmp_path: Path
) -> Iterator[Workers]:
    _handler, port = mail_server
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "EMAIL_TIMEOUT": "30",
        "NOTIFICATION_RETRY_BASE_SECONDS": "1",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "PORTAL_URL": settings.PORTAL_URL,
        "DATA_DIR": str(tmp_path / "data"),
        "SECRET_KEY": "notifications-live-test-" + uuid.uuid4().hex + uuid.uuid4().hex,
        # The worker appends to the same audit chain as this process: the same key.
        "AUDIT_KEY": settings.AUDIT_KEY,
    }
    group = Workers(tmp_path, env, queue)
    try:
        yield group
    finally:
        group.stop()


def row(kind: str, recipient: User) -> Notification:
    return Notification.objects.get(kind=kind, recipient=recipient)


def submitted(servant: User, server: MailServer, workers: Workers) -> PermissionRequest:
    """A request submitted, its 'submitted' and 'receipt' mails already at the server."""
    draft = draft_request(servant)
    request = workflow.submit(draft.pk, by=servant, declaration=True)
    wait_for(lambda: server.count() == 2, "the submission's two mails", workers.logs)
    return request


def approved_mails(server: MailServer, servant: User, request: PermissionRequest) -> list[Any]:
    return [m for m in server.to(servant) if m["Subject"] == f"{request.reference} is approved"]


def test_an_approval_reaches_the_applicant_as_one_mail(
    mail_server: tuple[MailServer, int],
    workers: Workers,
    servant: User,
    reporting_officer: User,
) -> None:
    server, _port = mail_server
    workers.start()
    request = submitted(servant, server, workers)

    workflow.approve(request.pk, by=reporting_officer)

    wait_for(lambda: server.count() == 3, "the approval mail", workers.logs)
    notification = row("approved", servant)
    wait_for(
        lambda: Notification.objects.get(pk=notification.pk).status == DeliveryStatus.SENT,
        "the row marked sent",
        workers.logs,
    )
    [message] = approved_mails(server, servant, request)
    assert message["Message-ID"] == emails.message_id(notification.dedupe_key)
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    link = f"{settings.PORTAL_URL}/requests/{request.pk}/"
    assert request.reference in text.get_content() and link in text.get_content()
    assert f'href="{link}"' in html.get_content()
    holds_for(3, lambda: server.count() == 3, server.summary())


def test_a_broker_outage_delays_the_mail_until_the_sweep(
    mail_server: tuple[MailServer, int],
    workers: Workers,
    servant: User,
    reporting_officer: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, _port = mail_server
    workers.start()
    request = submitted(servant, server, workers)

    def broker_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("Error 111 connecting to Redis. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(deliver_notification, "delay", broker_down)
        decided = workflow.approve(request.pk, by=reporting_officer)

    assert decided.status == Status.APPROVED
    assert PermissionRequest.objects.get(pk=request.pk).status == Status.APPROVED
    notification = row("approved", servant)
    assert (notification.status, notification.attempts) == (DeliveryStatus.PENDING, 0)
    holds_for(3, lambda: server.count() == 2, "no mail may arrive while the broker is down")

    assert outbox.sweep() == 1

    wait_for(lambda: server.count() == 3, "the swept mail", workers.logs)
    wait_for(
        lambda: Notification.objects.get(pk=notification.pk).status == DeliveryStatus.SENT,
        "the row marked sent",
        workers.logs,
    )
    assert outbox.sweep() == 0
    holds_for(3, lambda: len(approved_mails(server, servant, request)) == 1, server.summary())
    assert server.count() == 3


def test_a_refusing_mail_server_gets_the_mail_once_on_the_retry(
    mail_server: tuple[MailServer, int],
    workers: Workers,
    servant: User,
    reporting_officer: User,
) -> None:
    server, _port = mail_server
    workers.start()
    request = submitted(servant, server, workers)
    server.refuse = 1

    workflow.approve(request.pk, by=reporting_officer)

    notification = row("approved", servant)
    wait_for(
        lambda: Notification.objects.get(pk=notification.pk).status == DeliveryStatus.SENT,
        "delivery after the refusal",
        lambda: f"{workers.logs()}\n{Notification.objects.get(pk=notification.pk).last_error}",
    )
    sent = Notification.objects.get(pk=notification.pk)
    assert server.refused == 1
    assert sent.attempts == 2
    assert sent.last_error == ""
    [message] = approved_mails(server, servant, request)
    assert message["Message-ID"] == emails.message_id(notification.dedupe_key)
    holds_for(5, lambda: len(approved_mails(server, servant, request)) == 1, server.summary())
    assert server.count() == 3


def test_a_worker_killed_mid_send_leaves_the_mail_to_a_fresh_worker(
    mail_server: tuple[MailServer, int],
    workers: Workers,
    servant: User,
    reporting_officer: User,
) -> None:
    server, _port = mail_server
    first = workers.start()
    request = submitted(servant, server, workers)
    server.hold = True

    workflow.approve(request.pk, by=reporting_officer)

    wait_for(server.holding.is_set, "the worker sending the approval", workers.logs)
    notification = row("approved", servant)
    assert notification.status == DeliveryStatus.SENDING
    workers.kill(first)
    server.release()

    workers.start()
    assert outbox.sweep() == 0, "a live lease keeps the row from a second sender"
    Notification.objects.filter(pk=notification.pk).update(
        lease_until=notification.lease_until - outbox.LEASE - outbox.LEASE
    )
    assert outbox.sweep() == 1

    wait_for(
        lambda: Notification.objects.get(pk=notification.pk).status == DeliveryStatus.SENT,
        "delivery by the fresh worker",
        workers.logs,
    )
    assert Notification.objects.get(pk=notification.pk).attempts == 2
    holds_for(3, lambda: server.count() <= 4, server.summary())
    copies = approved_mails(server, servant, request)
    # The first copy was fully received before the worker died; the resend is the same
    # message, recognisable by its Message-ID.
    assert len(copies) == 2, server.summary()
    assert {m["Message-ID"] for m in copies} == {emails.message_id(notification.dedupe_key)}
    assert outbox.sweep() == 0
