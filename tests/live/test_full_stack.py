"""With the full stack configured, the portal really talks to PostgreSQL and Redis.

These run whenever DATABASE_URL / REDIS_URL point at real servers; with
REQUIRE_SERVICES=1 a missing server fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from permissions.models import User
from tests.factories import UserFactory
from tests.helpers import ROOT, celery_results_in, need_service, tcp_reachable


@pytest.mark.postgres
@pytest.mark.django_db
def test_database_is_postgresql_and_enforces_constraints() -> None:
    if connection.vendor != "postgresql":
        need_service("PostgreSQL", "DATABASE_URL does not point at PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int")
        (version,) = cursor.fetchone()
    assert version >= 130000
    person = UserFactory(username="on-postgres")
    assert User.objects.filter(pk=person.pk, username="on-postgres").exists()
    assert "psycopg" in type(connection.connection).__module__


@pytest.fixture
def redis_url() -> str:
    url = settings.REDIS_URL
    if not url:
        need_service("Redis", "REDIS_URL is not set")
    if not tcp_reachable(url, 6379):
        need_service("Redis", f"nothing listens at {url}")
    return url


@pytest.fixture
def celery_worker_process(redis_url: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A real `celery worker` process on the configured broker, with a result backend."""
    log = (tmp_path / "worker.log").open("wb")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "conduct_portal",
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env={**os.environ, "CELERY_RESULT_BACKEND": redis_url, "REDIS_URL": redis_url},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker.queue = queue  # type: ignore[attr-defined]
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()


@pytest.mark.redis
def test_a_task_sent_through_redis_is_run_by_a_worker(
    celery_worker_process: subprocess.Popen[bytes], redis_url: str, tmp_path: Path
) -> None:
    from conduct_portal.celery import app
    from permissions.tasks import ping

    assert app.conf.task_always_eager is False
    assert app.conf.broker_url == redis_url
    with celery_results_in(redis_url):
        token = uuid.uuid4().hex
        result = ping.apply_async(args=[token], queue=celery_worker_process.queue)  # type: ignore[attr-defined]
        try:
            assert result.get(timeout=60) == f"pong:{token}"
        except Exception:
            print((tmp_path / "worker.log").read_text(errors="replace"))
            raise
        finally:
            result.forget()
