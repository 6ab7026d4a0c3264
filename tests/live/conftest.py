"""The live stack's pieces: Redis checked, processes started with their output logged
(Celery workers on a queue of the test's own, beat, gunicorn), an SMTP server on
loopback, and waiting on what they do. Every port is free when taken and every queue is
the test's own, so tests here may run side by side."""

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
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from permissions.models import User
from tests.helpers import ROOT, celery_configured, need_service, tcp_reachable

DEADLINE = 60.0


def wait_for(
    predicate: Callable[[], bool],
    what: str,
    explain: Callable[[], str],
    *,
    seconds: float = DEADLINE,
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {seconds:.0f}s\n{explain()}")


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


def database_url() -> str:
    """The test database, for the processes a test starts."""
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def celery(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "conduct_portal", *arguments]


def worker(queue: str, name: str) -> list[str]:
    """A `celery worker` that takes tasks from `queue` alone, one at a time."""
    return celery(
        "worker",
        "--loglevel=INFO",
        "--pool=solo",
        "--concurrency=1",
        "-Q",
        queue,
        "-n",
        f"{name}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    )


@pytest.fixture
def redis_url() -> str:
    url = settings.REDIS_URL
    if not url:
        need_service("Redis", "REDIS_URL is not set")
    if not tcp_reachable(url, 6379):
        need_service("Redis", f"nothing listens at {url}")
    return url


@dataclass
class Started:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Processes:
    """Processes started by a test, each in a session of its own and writing to a log
    under tmp_path."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.running: list[Started] = []

    def start(
        self, name: str, argv: list[str], env: dict[str, str], *, ready: str | None = None
    ) -> Started:
        """Start `argv`; with `ready`, wait until its log says so."""
        log = self.tmp_path / f"{name}.log"
        started = Started(
            name,
            subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            ),
            log,
        )
        self.running.append(started)
        if ready is not None:
            wait_for(
                lambda: started.process.poll() is None and ready in started.text(),
                f"{name} starting",
                self.logs,
            )
        return started

    def logs(self) -> str:
        """The end of every log."""
        return "\n".join(f"--- {each.name}\n{each.text()[-6000:]}" for each in self.running)

    def kill(self, started: Started) -> None:
        os.killpg(started.process.pid, signal.SIGKILL)
        started.process.wait(timeout=DEADLINE)

    def stop(self) -> None:
        for each in self.running:
            if each.process.poll() is None:
                each.process.terminate()
        for each in self.running:
            try:
                each.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(each.process.pid, signal.SIGKILL)
                each.process.wait(timeout=20)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    group = Processes(tmp_path)
    try:
        yield group
    finally:
        group.stop()


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
    """A queue of this test's own, on the configured Redis, for the sending side too:
    what this test sends, only its own workers take."""
    import redis

    name = f"test-{uuid.uuid4().hex[:10]}"
    try:
        with celery_configured(task_default_queue=name, task_always_eager=False):
            yield name
    finally:
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
    """Celery workers on the test's queue, with the environment of the stack; beat too,
    when a test starts it."""

    def __init__(self, processes: Processes, env: dict[str, str], queue: str) -> None:
        self.processes = processes
        self.env = env
        self.queue = queue
        self.started = 0

    def start(self) -> Started:
        number, self.started = self.started, self.started + 1
        return self.processes.start(
            f"worker-{number}",
            worker(self.queue, f"{self.queue}-{number}"),
            self.env,
            ready=" ready.",
        )

    def kill(self, started: Started) -> None:
        self.processes.kill(started)

    def logs(self) -> str:
        return self.processes.logs()

    def full_log(self) -> str:
        """Everything the workers logged, in full (logs() keeps only the tail)."""
        return "\n".join(
            each.text() for each in self.processes.running if each.name.startswith("worker-")
        )


@pytest.fixture
def workers(
    on_postgres: None, queue: str, mail_server: tuple[MailServer, int], tmp_path: Path
) -> Iterator[Workers]:
    """Stopped, with anything else they started (beat), before the queue is cleaned."""
    _handler, port = mail_server
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
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
    group = Processes(tmp_path)
    try:
        yield Workers(group, env, queue)
    finally:
        group.stop()
