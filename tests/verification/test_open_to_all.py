"""The public check is open to anyone: an officer signed in but not yet past the second
factor sees the letter's page rather than the code form, and a visitor past the limit is
not sent to sign in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from permissions.models import User
from tests.factories import PASSWORD

from .conftest import HOME, Letter

pytestmark = pytest.mark.django_db


def test_an_officer_halfway_signed_in_may_check_a_letter(
    letter: Letter, reporting_officer: User
) -> None:
    client = Client(REMOTE_ADDR=HOME)
    response = client.post(
        "/login/", {"username": reporting_officer.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    # Any page of the portal still asks for the code...
    assert client.get("/").status_code == 302
    # ...but a letter's check and the code form are everyone's.
    page = client.get(letter.url)
    assert page.status_code == 200
    assert letter.request.reference in page.content.decode()
    assert client.get(reverse("verify-code")).status_code == 200


def test_the_limit_page_of_the_public_check_does_not_send_people_to_sign_in(
    letter: Letter, visitor: Callable[..., Client], settings: Any
) -> None:
    settings.RATELIMIT_VERIFY = "1/m"
    browser = visitor()
    assert browser.get(letter.url).status_code == 200
    refused = browser.get(letter.url)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Too many attempts" in page
    assert "Back to signing in" not in page
    assert 'href="/login/' not in page
