"""Signing in, refused sign-ins and signing out are audited with the client's address and
user agent, and a refused sign-in keeps the username tried but never the password."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.test import Client

from permissions.models import AuditEvent, User
from tests.factories import PASSWORD

from .conftest import (
    CLIENT_IP,
    FROM_BROWSER,
    USER_AGENT,
    assert_chain_intact,
    events,
    everything_stored,
    only_event,
)

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "Tr0ub4dor&3-not-the-password"


def test_signing_in_is_recorded_with_address_and_user_agent(client: Client, servant: User) -> None:
    response = client.post(
        "/login/", {"username": servant.username, "password": PASSWORD}, **FROM_BROWSER
    )

    assert response.status_code == 302
    event = only_event("login")
    assert event.actor == servant
    assert event.ip_address == CLIENT_IP
    assert event.user_agent == USER_AGENT
    assert event.request is None
    assert PASSWORD not in everything_stored(event)
    assert not events("login.failed")
    assert_chain_intact()


def test_a_refused_sign_in_keeps_the_username_and_never_the_password(
    client: Client, servant: User
) -> None:
    response = client.post(
        "/login/", {"username": servant.username, "password": WRONG_PASSWORD}, **FROM_BROWSER
    )

    assert response.status_code == 200  # the form again, with its message
    assert "_auth_user_id" not in client.session
    event = only_event("login.failed")
    # The account that was tried, so the attempts on one person can be seen together.
    assert event.actor == servant
    assert event.data == {"username": servant.username}
    assert event.ip_address == CLIENT_IP
    assert event.user_agent == USER_AGENT
    stored = everything_stored(event)
    assert WRONG_PASSWORD not in stored
    assert "password" not in stored.lower()
    assert "*****" not in stored  # not even Django's cleansed placeholder
    assert not events("login")
    assert_chain_intact()


def test_a_refused_sign_in_with_an_unknown_username_names_no_one(client: Client) -> None:
    client.post(
        "/login/", {"username": "no-such-person", "password": WRONG_PASSWORD}, **FROM_BROWSER
    )

    event = only_event("login.failed")
    assert event.actor is None
    assert event.data == {"username": "no-such-person"}
    assert WRONG_PASSWORD not in everything_stored(event)
    assert_chain_intact()


def test_a_sign_in_refused_to_a_deactivated_account_names_the_account(
    client: Client, servant: User
) -> None:
    servant.is_active = False
    servant.save(update_fields=["is_active"])

    client.post("/login/", {"username": servant.username, "password": PASSWORD}, **FROM_BROWSER)

    event = only_event("login.failed")
    assert event.actor == servant
    assert PASSWORD not in everything_stored(event)
    assert not events("login")


def test_a_sign_in_checked_without_a_request_is_refused(servant: User) -> None:
    """authenticate() called from code, with no HTTP request, has no address the lockout
    could count against: it is refused outright rather than let past the lockout."""
    from axes.exceptions import AxesBackendRequestParameterRequired

    with pytest.raises(AxesBackendRequestParameterRequired):
        authenticate(username=servant.username, password=PASSWORD)
    assert not AuditEvent.objects.filter(action__startswith="login").exists()


def test_a_sign_in_without_a_client_address_is_recorded(client: Client, servant: User) -> None:
    client.force_login(servant)

    event = only_event("login")
    assert event.actor == servant
    assert event.ip_address is None
    assert_chain_intact()


def test_signing_out_is_recorded_with_address_and_user_agent(client: Client, servant: User) -> None:
    client.post("/login/", {"username": servant.username, "password": PASSWORD})

    response = client.post("/logout/", **FROM_BROWSER)

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    event = only_event("logout")
    assert event.actor == servant
    assert event.ip_address == CLIENT_IP
    assert event.user_agent == USER_AGENT
    assert [e.action for e in AuditEvent.objects.order_by("pk")] == ["login", "logout"]
    assert_chain_intact()


def test_signing_out_without_a_session_records_nothing(client: Client) -> None:
    """Nobody was signed in (the session had expired): nothing ended, nothing recorded."""
    response = client.post("/logout/", **FROM_BROWSER)

    assert response.status_code == 302
    assert not AuditEvent.objects.exists()
