"""What the mails say: every kind renders, and plain text is plain text."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings

from permissions import emails, outbox
from permissions.models import Delegation, PermissionRequest, User
from permissions.models.notifications import NotificationKind
from tests.factories import UserFactory, submitted_request

pytestmark = pytest.mark.django_db


def kind_params() -> list[str]:
    return list(NotificationKind.values)


@pytest.fixture
def request_(servant: User) -> PermissionRequest:
    return submitted_request(servant)


@pytest.mark.parametrize("kind", kind_params())
def test_every_kind_renders_a_subject_a_text_and_an_html_part_with_the_link(
    kind: str, request_: PermissionRequest, servant: User, reporting_officer: User
) -> None:
    delegation = Delegation.objects.create(
        delegator=reporting_officer,
        delegate=UserFactory(username="acting"),
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 3, 14),
    )
    context = {
        "previous_officer": reporting_officer,
        "new_officer": servant,
        "days_left": 7,
        "waiting_since": request_.submitted_at,
        "delegation": delegation,
    }
    [row] = outbox.notify(
        recipients=[reporting_officer], kind=kind, key="render", request=request_, context=context
    )

    assert row.subject.strip()
    assert "\n" not in row.subject
    assert row.body_text.strip() and row.body_text.endswith("\n")
    assert "{%" not in row.body_text and "{{" not in row.body_text
    link = f"{settings.PORTAL_URL}/requests/{request_.pk}/"
    assert f'href="{link}"' in row.body_html
    assert row.body_html.lstrip().lower().startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("days_left", "ending"), [(1, "expires in 1 day"), (7, "expires in 7 days")]
)
def test_the_expiry_reminder_subject_counts_the_days_left(
    days_left: int, ending: str, request_: PermissionRequest, servant: User
) -> None:
    rendered = emails.render(
        "expiry_reminder",
        {"recipient": servant, "permission_request": request_, "link": "", "days_left": days_left},
    )
    assert rendered.subject == f"The approval of {request_.reference} {ending}"


def test_names_and_topics_with_quotes_and_ampersands_read_as_written(
    reporting_officer: User,
) -> None:
    applicant = UserFactory(
        username="obrien",
        first_name="Siobhan",
        last_name="O'Brien",
        reporting_officer=reporting_officer,
    )
    request = submitted_request(applicant, topic='Tax "reform" & you')
    [row] = outbox.notify(recipients=[applicant], kind="receipt", key="quotes", request=request)

    assert "Dear Siobhan O'Brien," in row.body_text
    assert 'for "Tax "reform" & you"' in row.body_text
    assert "&amp;" not in row.body_text and "&#x27;" not in row.body_text
    assert "O&#x27;Brien" in row.body_html
    assert "&amp;amp;" not in row.body_html and "&amp;#x27;" not in row.body_html
