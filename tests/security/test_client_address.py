"""The address recorded is the connection's, unless AUDIT_CLIENT_IP_HEADER names the
header a reverse proxy sets; then the last entry of that header, the one the proxy saw."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from permissions.models import User
from tests.factories import PASSWORD

from .conftest import PROXY_IP, USER_AGENT, assert_chain_intact, only_event

pytestmark = pytest.mark.django_db

SPOOFED = "198.51.100.66"
SEEN_BY_PROXY = "203.0.113.50"


def _sign_in(client: Client, user: User, forwarded_for: str) -> None:
    response = client.post(
        "/login/",
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR=PROXY_IP,
        HTTP_USER_AGENT=USER_AGENT,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )
    assert response.status_code == 302


def test_a_forwarded_address_is_ignored_unless_configured(
    client: Client, servant: User, settings: Settings
) -> None:
    settings.AUDIT_CLIENT_IP_HEADER = ""

    _sign_in(client, servant, forwarded_for=SPOOFED)

    assert only_event("login").ip_address == PROXY_IP
    assert_chain_intact()


def test_the_configured_header_gives_its_last_entry(
    client: Client, servant: User, settings: Settings
) -> None:
    settings.AUDIT_CLIENT_IP_HEADER = "X-Forwarded-For"

    # The client wrote the first entry itself; the proxy appended the address it saw.
    _sign_in(client, servant, forwarded_for=f"{SPOOFED}, {SEEN_BY_PROXY}")

    assert only_event("login").ip_address == SEEN_BY_PROXY
    assert_chain_intact()


@pytest.mark.parametrize("forwarded_for", ["not-an-address", f"{SPOOFED}, garbage", ""])
def test_an_unusable_forwarded_address_falls_back_to_the_connection(
    client: Client, servant: User, settings: Settings, forwarded_for: str
) -> None:
    settings.AUDIT_CLIENT_IP_HEADER = "X-Forwarded-For"

    _sign_in(client, servant, forwarded_for=forwarded_for)

    assert only_event("login").ip_address == PROXY_IP
    assert_chain_intact()


def test_a_refused_sign_in_uses_the_configured_header_too(
    client: Client, servant: User, settings: Settings
) -> None:
    settings.AUDIT_CLIENT_IP_HEADER = "X-Forwarded-For"

    client.post(
        "/login/",
        {"username": servant.username, "password": "wrong-password-entirely"},
        REMOTE_ADDR=PROXY_IP,
        HTTP_X_FORWARDED_FOR=f"{SPOOFED}, {SEEN_BY_PROXY}",
    )

    assert only_event("login.failed").ip_address == SEEN_BY_PROXY
