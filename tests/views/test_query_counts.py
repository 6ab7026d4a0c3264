"""Lists and the request page cost the same number of queries however many rows they
show, and lists page by keyset cursors."""

from __future__ import annotations

import base64
import datetime
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from permissions import workflow
from permissions.models import Delegation, PermissionRequest, User
from tests.factories import UserFactory, submitted_request
from tests.helpers import page_queries, returned_and_resubmitted

pytestmark = pytest.mark.django_db

Browser = Callable[[User], Client]

# The most each page may take, with 5 rows or with 50: session, user, (for officers and
# auditors) the second factor the session was verified with, roles, the page's own
# reads, and (for officers) the navigation's count of waiting requests, after one look-up
# of whose steps they hold (authority.holders_for), shared with the inbox's own list.
MY_REQUESTS_QUERIES = 4
INBOX_QUERIES = 7
DECIDED_QUERIES = 7
DETAIL_QUERIES = {"servant": 7, "reporting_officer": 10, "auditor": 9}


def _subordinates(officer: User, count: int) -> list[User]:
    return [UserFactory(reporting_officer=officer, bps=16) for _ in range(count)]


def _file_from(servants: list[User], count: int) -> list[PermissionRequest]:
    return [submitted_request(servants[n % len(servants)]) for n in range(count)]


def test_my_requests(
    browser: Browser, servant: User, settings, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    settings.PAGE_SIZE = 50
    client = browser(servant)
    _file_from([servant], 5)
    few = page_queries(client, "/requests/", MY_REQUESTS_QUERIES, django_assert_max_num_queries)
    _file_from([servant], 45)
    html = client.get("/requests/").content.decode()
    assert len(re.findall(r'href="/requests/\d+/"', html)) == 50
    many = page_queries(client, "/requests/", MY_REQUESTS_QUERIES, django_assert_max_num_queries)
    print("QUERIES my-requests", few, many)
    assert few == many


def test_inbox(
    browser: Browser, reporting_officer: User, settings, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    settings.PAGE_SIZE = 50
    # People report to the officer before they sign in: it is what asks them for a code.
    servants = _subordinates(reporting_officer, 5)
    client = browser(reporting_officer)
    _file_from(servants, 5)
    few = page_queries(client, "/inbox/", INBOX_QUERIES, django_assert_max_num_queries)
    _file_from(servants, 45)
    html = client.get("/inbox/").content.decode()
    assert len(re.findall(r'href="/requests/\d+/decide/"', html)) == 50
    many = page_queries(client, "/inbox/", INBOX_QUERIES, django_assert_max_num_queries)
    print("QUERIES inbox", few, many)
    assert few == many


def test_decided_by_me(
    browser: Browser,
    reporting_officer: User,
    other_officer: User,
    settings,  # type: ignore[no-untyped-def]
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    settings.PAGE_SIZE = 50
    Delegation.objects.create(
        delegator=other_officer,
        delegate=reporting_officer,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    # Half of them decided in the officer's own right, half for the officer on leave.
    servants = _subordinates(reporting_officer, 3) + _subordinates(other_officer, 2)
    client = browser(reporting_officer)

    def decide(count: int) -> None:
        for request in _file_from(servants, count):
            workflow.approve(request.pk, by=reporting_officer)

    decide(5)
    few = page_queries(client, "/inbox/decided/", DECIDED_QUERIES, django_assert_max_num_queries)
    decide(45)
    html = client.get("/inbox/decided/").content.decode()
    assert len(re.findall(r'href="/requests/\d+/"', html)) == 50
    assert html.count(f"for {other_officer}") == 20
    many = page_queries(client, "/inbox/decided/", DECIDED_QUERIES, django_assert_max_num_queries)
    print("QUERIES decided", few, many)
    assert few == many


@pytest.mark.parametrize("viewer", ["servant", "reporting_officer", "auditor"])
def test_request_detail(
    viewer: str,
    browser: Browser,
    servant: User,
    reporting_officer: User,
    request: pytest.FixtureRequest,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    client = browser(request.getfixturevalue(viewer))
    short = returned_and_resubmitted(servant, reporting_officer, returns=2, files=1)
    long = returned_and_resubmitted(servant, reporting_officer, returns=25, files=10)
    few = page_queries(
        client, f"/requests/{short.pk}/", DETAIL_QUERIES[viewer], django_assert_max_num_queries
    )
    html = client.get(f"/requests/{long.pk}/").content.decode()
    assert html.count("Clarify point") == 25
    assert html.count("/attachments/") == 10
    many = page_queries(
        client, f"/requests/{long.pk}/", DETAIL_QUERIES[viewer], django_assert_max_num_queries
    )
    print("QUERIES detail", viewer, few, many)
    assert few == many


def _follow(client: Client, path: str, pattern: str) -> list[int]:
    """The request ids on each page, following the "after" link to the end."""
    seen: list[int] = []
    url = path
    for _page in range(10):
        html = client.get(url).content.decode()
        seen += [int(pk) for pk in re.findall(pattern, html)]
        link = re.search(r'href="(\?[^"]*after=[^"]+)"', html)
        if link is None:
            return seen
        url = path + link.group(1).replace("&amp;", "&")
    raise AssertionError(f"more pages than expected after {url}")


def _with_ties(requests: list[PermissionRequest]) -> None:
    """Give a run of requests across the page boundary the same creation time."""
    moment = requests[12].created_at
    PermissionRequest.objects.filter(pk__in=[r.pk for r in requests[8:13]]).update(
        created_at=moment
    )


def test_my_requests_pages_visit_every_request_once_newest_first(
    browser: Browser,
    servant: User,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.PAGE_SIZE = 10
    requests = _file_from([servant], 25)
    _with_ties(requests)
    client = browser(servant)

    seen = _follow(client, "/requests/", r'href="/requests/(\d+)/"')

    expected = list(
        PermissionRequest.objects.order_by("-created_at", "-pk").values_list("pk", flat=True)
    )
    assert seen == expected
    assert len(set(seen)) == 25


def test_inbox_pages_visit_every_request_once_oldest_first(
    browser: Browser,
    reporting_officer: User,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.PAGE_SIZE = 10
    requests = _file_from(_subordinates(reporting_officer, 3), 25)
    client = browser(reporting_officer)

    seen = _follow(client, "/inbox/", r'href="/requests/(\d+)/decide/"')

    assert seen == [r.pk for r in requests]


GARBAGE_CURSORS = [
    "garbage",
    "!!!",
    "%%%",
    base64.urlsafe_b64encode(b"no separator").decode(),
    base64.urlsafe_b64encode(b"2026-02-30T10:00:00+05:00|3").decode(),
    base64.urlsafe_b64encode(b"2026-01-01T10:00:00+05:00|three").decode(),
    base64.urlsafe_b64encode(b"\xff\xfe|1").decode(),
]


@pytest.mark.parametrize("url", ["/requests/", "/inbox/", "/inbox/decided/"])
def test_a_garbage_cursor_shows_the_first_page(
    url: str,
    browser: Browser,
    servant: User,
    reporting_officer: User,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.PAGE_SIZE = 5
    servants = [servant, *_subordinates(reporting_officer, 1)]
    requests = _file_from(servants, 12)
    for decided in requests[:6]:
        workflow.approve(decided.pk, by=reporting_officer)
    person = servant if url == "/requests/" else reporting_officer

    client = browser(person)
    first = re.findall(r"MP-\d{4}-\d+", client.get(url).content.decode())
    assert first
    wrong = {}
    for cursor in GARBAGE_CURSORS:
        response = client.get(url, {"after": cursor})
        shown = re.findall(r"MP-\d{4}-\d+", response.content.decode())
        if (response.status_code, shown) != (200, first):
            wrong[cursor] = (response.status_code, shown)

    assert wrong == {}
