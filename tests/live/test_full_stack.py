"""With the full stack configured, the portal really talks to PostgreSQL and Redis.

These run whenever DATABASE_URL / REDIS_URL point at real servers; with
REQUIRE_SERVICES=1 a missing server fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import uuid

import pytest
from django.conf import settings
from django.db import connection

from permissions.models import User
from tests.factories import UserFactory
from tests.helpers import celery_results_in, need_service

from .conftest import Processes, worker


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


@pytest.mark.redis
def test_a_task_sent_through_redis_is_run_by_a_worker(
    processes: Processes, redis_url: str, queue: str
) -> None:
    from conduct_portal.celery import app
    from permissions.tasks import ping

    # A real `celery worker` process on the configured broker, with a result backend.
    env = {**os.environ, "CELERY_RESULT_BACKEND": redis_url, "REDIS_URL": redis_url}
    processes.start("worker", worker(queue, queue), env, ready=" ready.")

    # With REDIS_URL set, tasks go through Redis rather than running in the sender.
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    assert app.conf.broker_url == redis_url
    with celery_results_in(redis_url):
        token = uuid.uuid4().hex
        result = ping.delay(token)
        try:
            assert result.get(timeout=60) == f"pong:{token}"
        except Exception:
            print(processes.logs())
            raise
        finally:
            result.forget()
