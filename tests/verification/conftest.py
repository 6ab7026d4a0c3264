"""A letter to check: the servant's approved request, with a file and a token, and an
anonymous visitor's browser from one address."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from permissions import services, workflow
from permissions.models import PermissionRequest, User
from permissions.verification.models import Token
from permissions.verification.tokens import token_for
from permissions.workflow import Approval
from tests.factories import draft_request
from tests.helpers import days, fresh, today

HOME = "203.0.113.7"
ELSEWHERE = "198.51.100.20"

TOPIC = "Flood relief coordination in Sindh"
SUMMARY = "How the relief camps are supplied and what volunteers should bring."
FILE_NAME = "talking-points-draft.pdf"
OUTLET = "Radio Pakistan, Morning Show"


@dataclass
class Letter:
    request: PermissionRequest
    token: Token

    @property
    def url(self) -> str:
        return reverse("verify-letter", args=[self.token.token])

    def refreshed(self) -> PermissionRequest:
        return fresh(self.request)


def approve_with_file(
    servant: User, officer: User, *, until_days: int = 30, **overrides: object
) -> PermissionRequest:
    """A request with one attached file, submitted and approved through the workflow,
    valid from today for `until_days` days."""
    fields: dict[str, object] = {"topic": TOPIC, "summary": SUMMARY, "outlet": OUTLET}
    draft = draft_request(servant, **(fields | overrides))
    services.attachment_add(
        request=draft,
        by=servant,
        upload=SimpleUploadedFile(FILE_NAME, b"%PDF-1.4\n% points\n", "application/pdf"),
    )
    workflow.submit(draft.pk, by=servant, declaration=True)
    workflow.approve(
        draft.pk,
        by=officer,
        approval=Approval(valid_from=today(), valid_until=today() + days(until_days)),
    )
    return fresh(draft)


@pytest.fixture
def letter(servant: User, reporting_officer: User, auditor: User) -> Letter:
    """The servant's approved request and its token; the auditor is there to be told."""
    request = approve_with_file(servant, reporting_officer)
    return Letter(request=request, token=token_for(request))


@pytest.fixture
def visitor() -> Callable[..., Client]:
    """A browser nobody signed in to, from `address`."""

    def _open(address: str = HOME) -> Client:
        return Client(REMOTE_ADDR=address, HTTP_ACCEPT="text/html")

    return _open
