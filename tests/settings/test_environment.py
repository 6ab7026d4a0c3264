"""Settings come from the environment: embedded default, full stack, and refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

PROBE = """
import json
from django.conf import settings
import django
django.setup()
from conduct_portal.celery import app
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "debug": settings.DEBUG,
    "eager": app.conf.task_always_eager,
    "eager_propagates": app.conf.task_eager_propagates,
    "broker": app.conf.broker_url,
    "email_backend": settings.EMAIL_BACKEND,
    "email_host": settings.EMAIL_HOST,
    "email_port": settings.EMAIL_PORT,
    "secret_len": len(settings.SECRET_KEY),
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "first_hasher": settings.PASSWORD_HASHERS[0],
    "time_zone": settings.TIME_ZONE,
    "use_tz": settings.USE_TZ,
    "user_model": settings.AUTH_USER_MODEL,
    "audit_key_len": len(settings.AUDIT_KEY),
    "audit_dev_key_file": str(settings.AUDIT_DEV_KEY_FILE or ""),
}))
"""

# Variables a developer's shell or CI may have set; each probe starts without them.
PORTAL_VARIABLES = {
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "SECRET_KEY",
    "AUDIT_KEY",
    "AUDIT_CLIENT_IP_HEADER",
    "ALLOWED_HOSTS",
    "DEBUG",
    "CELERY_TASK_ALWAYS_EAGER",
    "CELERY_RESULT_BACKEND",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "DATA_DIR",
    "CONN_MAX_AGE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def run_settings(
    tmp_path: Path, code: str = PROBE, **variables: str
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in PORTAL_VARIABLES}
    environment.update(
        DJANGO_SETTINGS_MODULE="conduct_portal.settings", DATA_DIR=str(tmp_path), **variables
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def probe(tmp_path: Path, **variables: str) -> dict[str, object]:
    result = run_settings(tmp_path, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_nothing_set_gives_the_embedded_default(tmp_path: Path) -> None:
    values = probe(tmp_path)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["db_name"] == str(tmp_path / "db.sqlite3")
    assert values["debug"] is True
    assert values["eager"] is True
    assert values["eager_propagates"] is True
    assert values["broker"] == "memory://"
    assert values["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert values["first_hasher"] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert values["time_zone"] == "Asia/Karachi"
    assert values["use_tz"] is True
    assert values["user_model"] == "permissions.User"
    # A development secret was generated and kept, so a second start reuses it.
    secret_file = tmp_path / "dev-secret-key"
    assert secret_file.exists()
    assert values["secret_len"] == len(secret_file.read_text().strip()) >= 50
    assert probe(tmp_path)["secret_len"] == values["secret_len"]
    # So was the audit chain's key, beside it, and it is named as the development key.
    audit_key = tmp_path / "dev-audit-key"
    assert values["audit_dev_key_file"] == str(audit_key)
    assert values["audit_key_len"] == len(audit_key.read_text().strip()) >= 32
    assert audit_key.stat().st_mode & 0o777 == 0o600


def test_variables_switch_to_the_full_stack(tmp_path: Path) -> None:
    values = probe(
        tmp_path,
        DATABASE_URL="postgres://portal:pw@db.internal:5432/portal",
        REDIS_URL="redis://cache.internal:6379/0",
        EMAIL_URL="smtp://mail.internal:1025",
        SECRET_KEY="s" * 20 + "-production-secret-that-is-long-enough-0123456789",
        AUDIT_KEY="a" * 10 + "-production-audit-key-0123456789",
        ALLOWED_HOSTS="portal.example.gov.pk",
        DEBUG="false",
    )
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["db_name"] == "portal"
    assert values["debug"] is False
    assert values["eager"] is False
    assert values["broker"] == "redis://cache.internal:6379/0"
    assert values["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["email_host"] == "mail.internal"
    assert values["email_port"] == 1025
    assert values["allowed_hosts"] == ["portal.example.gov.pk"]
    assert not (tmp_path / "dev-secret-key").exists()
    assert not (tmp_path / "dev-audit-key").exists()
    assert values["audit_dev_key_file"] == ""


def test_debug_off_without_audit_key_stops_start_up(tmp_path: Path) -> None:
    result = run_settings(
        tmp_path, DEBUG="false", SECRET_KEY="x" * 60, ALLOWED_HOSTS="portal.example.gov.pk"
    )
    assert result.returncode != 0
    assert "AUDIT_KEY is not set" in result.stderr
    assert not (tmp_path / "dev-audit-key").exists()


def test_a_short_audit_key_is_refused(tmp_path: Path) -> None:
    result = run_settings(tmp_path, AUDIT_KEY="short")
    assert result.returncode != 0
    assert "AUDIT_KEY must be at least 32 characters" in result.stderr


def test_start_up_says_when_the_development_audit_key_is_in_use(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k not in PORTAL_VARIABLES}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**environment, "DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "permissions.W001" in result.stderr + result.stdout
    assert str(tmp_path / "dev-audit-key") in result.stderr + result.stdout


def test_debug_off_without_secret_key_stops_start_up(tmp_path: Path) -> None:
    result = run_settings(tmp_path, DEBUG="false", ALLOWED_HOSTS="portal.example.gov.pk")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_off_without_allowed_hosts_stops_start_up(tmp_path: Path) -> None:
    result = run_settings(tmp_path, DEBUG="false", SECRET_KEY="x" * 60, AUDIT_KEY="y" * 40)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("SECURE_HSTS_SECONDS", "a year"),
        ("CONN_MAX_AGE", "-5"),
        ("OUTBOX_SWEEP_SECONDS", "0"),
        ("RATELIMIT_SIGNIN", "twenty a minute"),
        ("RATELIMIT_PUBLIC", "60/week"),
        ("SESSION_IDLE_MINUTES", "0"),
        ("SECOND_FACTOR_REMEMBER_HOURS", "-1"),
        ("AUDIT_KEY_ID", "key one"),
        ("AUDIT_KEY_ID", "k" * 41),
        ("AUDIT_OLD_KEYS", "2:too-short"),
        ("AUDIT_OLD_KEYS", "a-secret-without-its-id-0123456789"),
        ("AUDIT_OLD_KEYS", "1:" + "x" * 40),
        ("AUDIT_OLD_KEYS", "2:" + "x" * 40 + " 2:" + "y" * 40),
        ("AUDIT_HEAD_RECIPIENTS", "records@establishment.gov.pk, the records office"),
    ],
)
def test_a_bad_value_names_its_variable(tmp_path: Path, variable: str, value: str) -> None:
    extra = {"DATABASE_URL": "postgres://p@localhost/p"} if variable == "CONN_MAX_AGE" else {}
    result = run_settings(tmp_path, **{variable: value, **extra})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]


def test_deploy_check_is_clean_with_production_variables(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in PORTAL_VARIABLES},
            "DATA_DIR": str(tmp_path),
            "DEBUG": "false",
            "SECRET_KEY": "k7#Qm2!vR9zL0pX4wT8cY1bN6hJ3fD5sG0aE9uI2oP7lK4mZ8q",
            "AUDIT_KEY": "Zt4!pQ8#wL1xR6vN3mC9kB2jH7gF5dS0aY4uE8iO1",
            "ALLOWED_HOSTS": "portal.example.gov.pk",
            "SECURE_SSL_REDIRECT": "true",
            "SESSION_COOKIE_SECURE": "true",
            "CSRF_COOKIE_SECURE": "true",
            "SECURE_HSTS_SECONDS": "31536000",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
            "SECURE_HSTS_PRELOAD": "true",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
