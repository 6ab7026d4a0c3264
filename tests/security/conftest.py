"""Helpers for the security-event tests."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from permissions import audit
from permissions.models import AuditEvent, User
from tests.helpers import pass_second_factor

# Addresses from the documentation ranges (RFC 5737), and a browser's user agent.
CLIENT_IP = "203.0.113.7"
PROXY_IP = "192.0.2.1"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
FROM_BROWSER = {"REMOTE_ADDR": CLIENT_IP, "HTTP_USER_AGENT": USER_AGENT}


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def only_event(action: str) -> AuditEvent:
    found = events(action)
    assert len(found) == 1, f"{len(found)} {action!r} events, not one"
    return found[0]


def everything_stored(event: AuditEvent) -> str:
    """Every column of the event as text, data and comment included."""
    return " ".join(
        json.dumps(value) if isinstance(value, dict | list) else str(value)
        for value in (getattr(event, field.attname) for field in event._meta.concrete_fields)
    )


def assert_chain_intact() -> None:
    report = audit.verify()
    assert report.ok, report.problem
    assert report.checked == AuditEvent.objects.count()


@pytest.fixture
def admin_browser(superuser: User) -> Client:
    """The administrator signed in, on a browser whose address and user agent are known."""
    client = Client(**FROM_BROWSER)
    client.force_login(superuser)
    return pass_second_factor(client, superuser)
