"""What the bulk decision's tests share: the officer's signed-in browser, servants of
theirs with pending requests, and the two pages as the inbox's form and the bulk page's
form send them."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.test import Client

from permissions.models import Organisation, PermissionRequest, User
from tests.factories import UserFactory, submitted_request

# Sending the outbox's rows runs in the test process, whatever REDIS_URL says.
from tests.helpers import tasks_run_here  # noqa: F401

BULK = "/inbox/bulk/"
RESULT = "/inbox/bulk/result/"

__all__ = ["BULK", "RESULT", "choose", "decide", "ids", "text"]


@pytest.fixture
def officer_client(
    browser: Callable[[User], Client], reporting_officer: User, servant: User, servants: list[User]
) -> Client:
    """The reporting officer, signed in once people report to them (which is what makes
    the portal ask them for a second factor)."""
    return browser(reporting_officer)


@pytest.fixture
def servants(division: Organisation, reporting_officer: User) -> list[User]:
    """Five servants who report to the reporting officer."""
    return [
        UserFactory(
            username=f"bulk-servant-{n}", organisation=division, reporting_officer=reporting_officer
        )
        for n in range(5)
    ]


@pytest.fixture
def pending_requests(servants: list[User]) -> Callable[[int], list[PermissionRequest]]:
    """`count` requests submitted through the workflow, shared among the servants."""

    def make(count: int) -> list[PermissionRequest]:
        return [
            submitted_request(servants[n % len(servants)], topic=f"Interview {n}")
            for n in range(count)
        ]

    return make


def ids(requests: Iterable[PermissionRequest]) -> list[int]:
    return [request.pk for request in requests]


def choose(client: Client, requests: Iterable[PermissionRequest | int]) -> Any:
    """The inbox's form: the ticked requests, sent by GET to the bulk page."""
    chosen = [r if isinstance(r, int) else r.pk for r in requests]
    return client.get(BULK, {"selected": chosen})


def decide(client: Client, requests: Iterable[PermissionRequest | int], **answers: object) -> Any:
    """The bulk page's form, sent; followed to the result page."""
    chosen = [r if isinstance(r, int) else r.pk for r in requests]
    return client.post(BULK, {"selected": chosen, **answers}, follow=True)


def text(page: str) -> str:
    """The page's words as a person reads them: no tags, one space between words."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
