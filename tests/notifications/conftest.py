"""Fixtures for the outbox tests: Celery eager, mail in django.core.mail.outbox, the
people and routing rules that give requests more than one recipient."""

from __future__ import annotations

import smtplib
from email.message import Message
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from permissions.models import Delegation, Notification, User
from tests.factories import UserFactory
from tests.helpers import (
    days,
    tasks_run_here,  # noqa: F401 - every test here runs its Celery tasks in this process
    today,
)


class DisconnectedBackend(BaseEmailBackend):
    """A mail server that hangs up on every message."""

    attempts = 0

    def send_messages(self, email_messages: Any) -> int:
        type(self).attempts += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def smtp_down(settings: Any) -> type[DisconnectedBackend]:
    settings.EMAIL_BACKEND = f"{__name__}.DisconnectedBackend"
    DisconnectedBackend.attempts = 0
    return DisconnectedBackend


def mails_to(user: User) -> list[EmailMessage]:
    return [message for message in mail.outbox if message.to == [user.email]]


def header(message: EmailMessage, name: str) -> str:
    built: Message = message.message()
    return str(built[name])


def html_of(message: EmailMessage) -> str:
    alternatives = [
        content
        for content, mimetype in getattr(message, "alternatives", [])
        if mimetype == "text/html"
    ]
    assert len(alternatives) == 1, alternatives
    return str(alternatives[0])


def rows(kind: str | None = None, **filters: Any) -> list[Notification]:
    queryset = Notification.objects.select_related("recipient").order_by("recipient_id", "id")
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    return list(queryset.filter(**filters))


# The people and routing of the workflow tests serve here unchanged.
from tests.workflow.conftest import (  # noqa: E402, F401
    auditor_with_revoke_right,
    cell_members,
    delegate,
    media_cell,
    media_cell_rule,
)


def recipients_of(kind: str, **filters: Any) -> list[int]:
    return sorted(row.recipient_id for row in rows(kind, **filters))


@pytest.fixture
def former_delegate(reporting_officer: User) -> User:
    """Acted for the reporting officer last month; the delegation has ended."""
    person = UserFactory(username="former-delegate", designation="Deputy Secretary", bps=19)
    Delegation.objects.create(
        delegator=reporting_officer,
        delegate=person,
        starts_on=today() - days(40),
        ends_on=today() - days(10),
        reason="Ex-Pakistan leave",
    )
    return person
