"""The lockout as a browser meets it: gunicorn serving the portal with DEBUG off, on the
test database, spoken to over real HTTP from two addresses (given in X-Forwarded-For,
the header the portal is told its proxy sets). Five wrong passwords for one account from
one address pause that account there, even for the right password; another address
still signs in to it; the pause is lifted, and the chain records both and still holds."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from permissions.audit import Origin
from permissions.models import AuditEvent, User
from permissions.signin.lockout import lock_lift
from permissions.states import Action
from tests.factories import PASSWORD
from tests.helpers import ROOT

from .conftest import Processes, database_url, free_port, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Documentation addresses (RFC 5737): the office whose account is paused, another office.
OFFICE_A = "203.0.113.41"
OFFICE_B = "198.51.100.42"
WRONG = "not-the-password-at-all"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@dataclass
class Answer:
    status: int
    headers: Message
    body: str


class Browser:
    """A browser at one address, over plain HTTP: it keeps its cookies and sends the
    address in the header the portal's proxy would set."""

    def __init__(self, port: int, address: str) -> None:
        self.port = port
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Answer:
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
            "User-Agent": USER_AGENT,
            "X-Forwarded-For": self.address,
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            answer = Answer(response.status, response.headers, response.read().decode())
        finally:
            connection.close()
        for line in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        return answer

    def sign_in(self, username: str, password: str) -> Answer:
        """Open the form, as a browser does, and post it with its token."""
        form = self.request("GET", "/login/")
        assert form.status == 200, form.status
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)
        assert token, "the sign-in form carries its token"
        return self.request(
            "POST",
            "/login/",
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password},
        )


def status_of(port: int, path: str) -> int:
    try:
        return Browser(port, "192.0.2.1").request("GET", path).status
    except OSError:
        return 0


@pytest.fixture
def portal_env(on_postgres: None, tmp_path: Path) -> dict[str, str]:
    """Production settings on loopback: DEBUG off, collected static files, the test
    database, plain HTTP (no redirect to HTTPS, cookies not marked secure), and the
    client's address taken from X-Forwarded-For. Counters in the process's memory
    (one worker), so nothing is shared with other tests through Redis."""
    return {
        **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
        "DEBUG": "false",
        "SECRET_KEY": "lockout-over-http-" + uuid.uuid4().hex + uuid.uuid4().hex,
        # The test appends to the same chain as the server: the same key.
        "AUDIT_KEY": settings.AUDIT_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(),
        "EMAIL_URL": "consolemail://",
        "DATA_DIR": str(tmp_path / "data"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "AUDIT_CLIENT_IP_HEADER": "X-Forwarded-For",
        "SIGNIN_FAILURE_LIMIT": "5",
        "SIGNIN_COOLOFF_MINUTES": "15",
        "RATELIMIT_SIGNIN": "20/m",
    }


@pytest.fixture
def portal(portal_env: dict[str, str], processes: Processes) -> int:
    """gunicorn serving the portal; its port."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=portal_env,
        check=True,
        timeout=120,
    )
    port = free_port()
    processes.start(
        "web",
        [
            sys.executable,
            "-m",
            "gunicorn",
            "conduct_portal.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            "--access-logfile=-",
        ],
        portal_env,
    )
    wait_for(lambda: status_of(port, "/login/") == 200, "gunicorn serving /login/", processes.logs)
    return port


@pytest.fixture
def account(settings, servant: User) -> User:  # type: ignore[no-untyped-def]
    """A servant (no second factor), with a password the server can check: the tests'
    quick hasher is not among production's."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    servant.set_password(PASSWORD)
    servant.save(update_fields=["password"])
    return servant


def test_five_wrong_passwords_pause_that_account_from_that_address_only(
    portal: int,
    portal_env: dict[str, str],
    account: User,
    superuser: User,
    processes: Processes,
) -> None:
    office_a = Browser(portal, OFFICE_A)
    for number in range(1, 6):
        answer = office_a.sign_in(account.username, WRONG)
        # The fifth failure is the one that pauses: it already gets the lockout page.
        assert answer.status == (429 if number == 5 else 200), (number, processes.logs())

    # The sixth try, with the right password, is refused with the lockout page.
    refused = office_a.sign_in(account.username, PASSWORD)
    assert refused.status == 429, processes.logs()
    assert "Signing in is paused" in refused.body
    assert "Even the right password will not work" in refused.body
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    outside = office_a.request("GET", "/requests/")
    assert (outside.status, outside.headers["Location"]) == (302, "/login/?next=/requests/")

    # Another office signs in to the same account, and sees its requests.
    office_b = Browser(portal, OFFICE_B)
    signed_in = office_b.sign_in(account.username, PASSWORD)
    assert signed_in.status == 302, signed_in.body[:2000]
    assert signed_in.headers["Location"] == "/"
    assert office_b.request("GET", "/requests/").status == 200

    # The administrator lifts the pause: the function the admin's "unlock" action calls
    # (the action itself is tested in tests/signin/; the admin sits behind the second
    # factor, which is not this test's subject).
    attempt = AccessAttempt.objects.get(username=account.username, ip_address=OFFICE_A)
    assert attempt.failures_since_start == 5
    lock_lift(attempt=attempt, by=superuser, origin=Origin("192.0.2.10", USER_AGENT))
    again = office_a.sign_in(account.username, PASSWORD)
    assert again.status == 302, again.body[:2000]
    assert office_a.request("GET", "/requests/").status == 200

    # The chain: the pause, once, for that account and address, as the server wrote it;
    # its lifting, by whom; the sign-ins from each address; and it holds.
    [locked] = AuditEvent.objects.filter(action=Action.LOGIN_LOCKED)
    assert locked.actor == account
    assert (locked.data["username"], locked.data["address"]) == (account.username, OFFICE_A)
    assert locked.ip_address == OFFICE_A
    [unlocked] = AuditEvent.objects.filter(action=Action.LOGIN_UNLOCKED)
    assert unlocked.actor == superuser
    assert (unlocked.data["username"], unlocked.data["address"]) == (account.username, OFFICE_A)
    assert locked.pk < unlocked.pk
    signed_in_from = AuditEvent.objects.filter(action=Action.LOGIN, actor=account)
    assert list(signed_in_from.order_by("pk").values_list("ip_address", flat=True)) == [
        OFFICE_B,
        OFFICE_A,
    ]
    failed = AuditEvent.objects.filter(action=Action.LOGIN_FAILED, ip_address=OFFICE_A)
    assert failed.count() == 6  # five wrong passwords and the right one refused
    verified = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"],
        cwd=ROOT,
        env=portal_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"Checked {AuditEvent.objects.count()} events." in verified.stdout
    assert "The audit chain is intact." in verified.stdout
