"""Console pages cost the same number of queries however many rows they show."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from permissions import audit, workflow
from permissions.models import User
from tests.console.figures import dashboard_queries
from tests.factories import UserFactory, draft_request, submitted_request
from tests.helpers import page_queries, returned_and_resubmitted

pytestmark = pytest.mark.django_db

# Session, user, the second factor the session was verified with, roles, then the page's
# own reads: the organisation tree and platforms for the filter form, the page of rows,
# and the count of the matches (which stops at RESULT_COUNT_CAP + 1 rows).
REQUESTS_QUERIES = 8
AUDIT_LOG_QUERIES = 7
# The request, its steps, its attachments, its events and its notifications, and the
# newest event that recorded its content (to compare with what it says now).
RECORD_QUERIES = 10


def _file(servants: list[User], officer: User, count: int) -> None:
    for n in range(count):
        applicant = servants[n % len(servants)]
        if n % 5 == 0:
            draft_request(applicant)
            continue
        request = submitted_request(applicant)
        if n % 3 == 0:
            workflow.approve(request.pk, by=officer)


@pytest.fixture
def servants(reporting_officer: User, press_officer: User, servant: User) -> list[User]:
    return [
        servant,
        press_officer,
        *[UserFactory(reporting_officer=reporting_officer) for _ in range(3)],
    ]


def test_request_search(
    auditor_browser: Client,
    servants: list[User],
    reporting_officer: User,
    settings,  # type: ignore[no-untyped-def]
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    settings.PAGE_SIZE = 50
    url = "/audit/requests/?text=digital&sort=decided"
    _file(servants, reporting_officer, 5)
    few = page_queries(auditor_browser, url, REQUESTS_QUERIES, django_assert_max_num_queries)
    _file(servants, reporting_officer, 45)
    html = auditor_browser.get(url).content.decode()
    assert len(re.findall(r'href="/audit/requests/\d+/"', html)) == 50
    many = page_queries(auditor_browser, url, REQUESTS_QUERIES, django_assert_max_num_queries)
    print("QUERIES console requests", few, many)
    assert few == many


def test_audit_log(
    auditor_browser: Client,
    servants: list[User],
    reporting_officer: User,
    settings,  # type: ignore[no-untyped-def]
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    settings.PAGE_SIZE = 50
    url = "/audit/log/?organisation_of=either"
    _file(servants, reporting_officer, 2)
    few = page_queries(auditor_browser, url, AUDIT_LOG_QUERIES, django_assert_max_num_queries)
    _file(servants, reporting_officer, 45)
    for person in servants:  # events with an actor and no request
        audit.record("login", actor=person)
    html = auditor_browser.get(url).content.decode()
    assert len(re.findall(r'<td class="text-nowrap" data-label="Event">#\d+</td>', html)) == 50
    many = page_queries(auditor_browser, url, AUDIT_LOG_QUERIES, django_assert_max_num_queries)
    print("QUERIES console audit log", few, many)
    assert few == many


def test_request_record(
    auditor_browser: Client,
    servant: User,
    reporting_officer: User,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    short = returned_and_resubmitted(servant, reporting_officer, returns=1, files=1)
    long = returned_and_resubmitted(servant, reporting_officer, returns=20, files=8)
    few = page_queries(
        auditor_browser,
        f"/audit/requests/{short.pk}/",
        RECORD_QUERIES,
        django_assert_max_num_queries,
    )
    html = auditor_browser.get(f"/audit/requests/{long.pk}/").content.decode()
    assert html.count("Clarify point") == 20
    assert html.count("/attachments/") == 8
    many = page_queries(
        auditor_browser,
        f"/audit/requests/{long.pk}/",
        RECORD_QUERIES,
        django_assert_max_num_queries,
    )
    print("QUERIES console record", few, many)
    assert few == many


def test_dashboard(
    auditor_browser: Client,
    servants: list[User],
    reporting_officer: User,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    _file(servants, reporting_officer, 5)
    few = dashboard_queries(auditor_browser, django_assert_max_num_queries)
    _file(servants, reporting_officer, 45)
    many = dashboard_queries(auditor_browser, django_assert_max_num_queries)
    print("QUERIES console dashboard", few, many)
    assert few == many
