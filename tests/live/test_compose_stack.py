"""docker-compose.yml is correct by construction: its structure is checked here, and the
very commands it gives web, worker, beat and migrate are run against the real
PostgreSQL and Redis of this machine, with the environment the file sets."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.db import connection

from tests.helpers import ROOT, celery_results_in, need_service, tcp_reachable

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Any, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen in {timeout}s:\n{log.read_text(errors='replace')}")


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return int(response.status)
    except OSError:
        return 0


@pytest.fixture
def stack_env(compose: dict[str, Any], tmp_path: Path) -> dict[str, str]:
    if connection.vendor != "postgresql":
        need_service("PostgreSQL", "DATABASE_URL does not point at PostgreSQL")
    if not settings.REDIS_URL or not tcp_reachable(settings.REDIS_URL, 6379):
        need_service("Redis", "REDIS_URL is not set or not reachable")
    db = connection.settings_dict
    given = {
        "SECRET_KEY": "compose-stack-test-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "AUDIT_KEY": settings.AUDIT_KEY,
    }
    env = {
        name: resolve(str(value), given)
        for name, value in compose["services"]["web"]["environment"].items()
    }
    # The stack's host names become this machine's services; everything else is as written.
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    env["REDIS_URL"] = settings.REDIS_URL
    env["EMAIL_URL"] = "consolemail://"
    return {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        **env,
        "DATA_DIR": str(tmp_path / "data"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "CELERY_RESULT_BACKEND": settings.REDIS_URL,
    }


class Processes:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, command: list[str], env: dict[str, str]) -> Path:
        log = self.tmp_path / f"{name}.log"
        program = [sys.executable, "-m", command[0]] if command[0] in {"celery", "gunicorn"} else []
        argv = [*program, *command[1:]] if program else command
        self.running.append(
            subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
            )
        )
        return log

    def stop(self) -> None:
        for process in self.running:
            process.terminate()
        for process in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    group = Processes(tmp_path)
    yield group
    group.stop()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_compose_commands_run_on_postgresql_and_redis(
    compose: dict[str, Any], stack_env: dict[str, str], processes: Processes, tmp_path: Path
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
    web_log = processes.start("web", web, stack_env)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: http_status(f"{base}/login/") == 200, 60, "gunicorn serving /login/", web_log)
    assert http_status(f"{base}/static/vendor/bootstrap/bootstrap.min.css") == 200
    assert http_status(f"{base}/requests/") == 200  # redirected to the login page, then 200

    # worker: celery worker exactly as compose runs it, taking a task from Redis.
    worker_log = processes.start("worker", services["worker"]["command"], stack_env)
    from permissions.tasks import ping

    with celery_results_in(settings.REDIS_URL):
        token = uuid.uuid4().hex
        result = ping.delay(token)
        try:
            assert result.get(timeout=90) == f"pong:{token}"
        except Exception:
            print(worker_log.read_text(errors="replace"))
            raise
        finally:
            result.forget()

    # beat: celery beat exactly as compose runs it, with its schedule file under DATA_DIR.
    beat = [
        f"--schedule={tmp_path / 'celerybeat-schedule'}" if part.startswith("--schedule") else part
        for part in services["beat"]["command"]
    ]
    beat_log = processes.start("beat", beat, stack_env)
    wait_for(
        lambda: "beat: Starting" in beat_log.read_text(errors="replace"),
        60,
        "celery beat starting",
        beat_log,
    )
