"""The rows the matrix's URLs point at, and a signed-in browser for each persona."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from permissions.models import User

# The audit chain's verification runs in the test process when an auditor starts it.
from tests.helpers import tasks_run_here  # noqa: F401

from .matrix import Objects, make_objects


@pytest.fixture(autouse=True)
def sign_in_unlimited(settings):  # type: ignore[no-untyped-def]
    """Every test here signs in seven people from one address, and the suite many more
    before it: the per-address limit on signing in is tested in tests/throttle/."""
    settings.RATELIMIT_SIGNIN = "10000/m"


@pytest.fixture
def objects(servant: User, reporting_officer: User, countersigning_officer: User) -> Objects:
    return make_objects(servant, reporting_officer, countersigning_officer)


@pytest.fixture
def client_of(
    request: pytest.FixtureRequest, browser: Callable[[User], Client]
) -> Callable[[str], Client]:
    """A browser for a persona, the fixture of that name (signed in through the form and
    past the second factor); a browser nobody signed in to for "anonymous"."""

    def _client(persona: str) -> Client:
        if persona == "anonymous":
            return Client()
        return browser(request.getfixturevalue(persona))

    return _client
