"""docker-compose.yml is correct by construction: its structure is checked here, and the
very commands it gives web, worker, beat and migrate are run against the real
PostgreSQL and Redis of this machine, with the environment the file sets."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

from tests.helpers import ROOT, celery_results_in

from .conftest import Processes, database_url, free_port, wait_for

PORTAL_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_whole_stack(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "mailpit", *PORTAL_SERVICES}
    images = {services[name]["image"] for name in PORTAL_SERVICES}
    assert images == {"conduct-portal:latest"}, "web, worker, beat and migrate share one image"
    environments = [services[name]["environment"] for name in PORTAL_SERVICES]
    assert all(env == environments[0] for env in environments), "and one set of settings"
    assert "--appendonly" in services["redis"]["command"]
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in services[name], f"{name} has a healthcheck"
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["restart"] == "no"
    env = environments[0]
    assert env["DEBUG"] == "false"
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?"), "no secret is baked into the file"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["REDIS_URL"].startswith("redis://redis:")
    assert env["EMAIL_URL"] == "smtp://mailpit:1025"


def test_dockerfile_runs_as_non_root_and_collects_static() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.1[1-3]-slim", dockerfile, re.M)
    assert re.search(r"^USER portal$", dockerfile, re.M)
    assert "collectstatic --noinput" in dockerfile


def resolve(value: str, given: dict[str, str]) -> str:
    """Expand compose's ${NAME:-default} and ${NAME:?message} the way compose does."""

    def expand(match: re.Match[str]) -> str:
        name, op, rest = match.group(1), match.group(2), match.group(3)
        if name in given:
            return given[name]
        if op == ":-":
            return rest
        raise AssertionError(f"compose needs {name}: {rest}")

    return re.sub(r"\$\{(\w+)(:[-?])([^}]*)\}", expand, value)


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return int(response.status)
    except OSError:
        return 0


@pytest.fixture
def stack_env(
    compose: dict[str, Any], on_postgres: None, redis_url: str, queue: str, tmp_path: Path
) -> dict[str, str]:
    given = {
        "SECRET_KEY": "compose-stack-test-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "AUDIT_KEY": settings.AUDIT_KEY,
    }
    env = {
        name: resolve(str(value), given)
        for name, value in compose["services"]["web"]["environment"].items()
    }
    # The stack's host names become this machine's services, and its queue the test's
    # own, as another portal sharing the Redis would name one; everything else is as
    # written.
    env["DATABASE_URL"] = database_url()
    env["REDIS_URL"] = redis_url
    env["EMAIL_URL"] = "consolemail://"
    return {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        **env,
        "DATA_DIR": str(tmp_path / "data"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "CELERY_RESULT_BACKEND": redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }


def as_run_here(command: list[str]) -> list[str]:
    """A compose command, with this interpreter running the Python programs in it."""
    if command[0] in {"celery", "gunicorn"}:
        return [sys.executable, "-m", *command]
    return command


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_compose_commands_run_on_postgresql_and_redis(
    compose: dict[str, Any],
    stack_env: dict[str, str],
    redis_url: str,
    processes: Processes,
    tmp_path: Path,
) -> None:
    services = compose["services"]
    python = [sys.executable]

    # What the image build does, then the one-shot migrate service.
    subprocess.run(
        [*python, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=stack_env,
        check=True,
        timeout=120,
    )
    migrate = services["migrate"]["command"]
    assert migrate[:2] == ["python", "manage.py"]
    subprocess.run([*python, *migrate[1:]], cwd=ROOT, env=stack_env, check=True, timeout=300)

    # web: gunicorn exactly as compose runs it, on a free loopback port.
    port = free_port()
    web = [
        f"--bind=127.0.0.1:{port}" if part.startswith("--bind") else part
        for part in services["web"]["command"]
    ]
    processes.start("web", as_run_here(web), stack_env)
    base = f"http://127.0.0.1:{port}"
    wait_for(
        lambda: http_status(f"{base}/login/") == 200, "gunicorn serving /login/", processes.logs
    )
    assert http_status(f"{base}/static/vendor/bootstrap/bootstrap.min.css") == 200
    assert http_status(f"{base}/requests/") == 200  # redirected to the login page, then 200

    # worker: celery worker exactly as compose runs it, taking a task from Redis.
    processes.start("worker", as_run_here(services["worker"]["command"]), stack_env)
    from permissions.tasks import ping

    with celery_results_in(redis_url):
        token = uuid.uuid4().hex
        result = ping.delay(token)
        try:
            assert result.get(timeout=90) == f"pong:{token}"
        except Exception:
            print(processes.logs())
            raise
        finally:
            result.forget()

    # beat: celery beat exactly as compose runs it, with its schedule file under DATA_DIR.
    beat = [
        f"--schedule={tmp_path / 'celerybeat-schedule'}" if part.startswith("--schedule") else part
        for part in services["beat"]["command"]
    ]
    processes.start("beat", as_run_here(beat), stack_env, ready="beat: Starting")
