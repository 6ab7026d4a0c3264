"""Signing in with a second factor, through the forms as a browser would."""

from __future__ import annotations

import re
import time

import pyotp
from django.test import Client

from permissions.models import User
from tests.factories import PASSWORD

SECRET = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')


def password_only(user: User, **extra: str) -> Client:
    """A browser that gave the right password and nothing more."""
    client = Client(**extra)
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return client


def secret_on_page(html: str) -> str:
    """The key the set-up page shows for typing into a phone app by hand."""
    match = SECRET.search(html)
    assert match, "the set-up page shows no key"
    return match.group(1).replace(" ", "")


def app_code(secret: str, *, steps_ahead: int = 0) -> str:
    """The code a phone app shows for `secret` now (or `steps_ahead` periods of 30 s
    later)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)
