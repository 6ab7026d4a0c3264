"""The one pager under every list: its links keep the list's filters and sort, go back
to the first page, and are a labelled navigation, in the whole page and in the rows
htmx swaps in."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from permissions import audit
from permissions.models import User
from permissions.states import Action
from tests.factories import draft_request, submitted_request

from .conftest import signed_in

pytestmark = pytest.mark.django_db

PAGE_SIZE = 5


@pytest.fixture(autouse=True)
def small_pages(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PAGE_SIZE = PAGE_SIZE


def pager(html: str) -> str:
    """The pager's navigation, the last <nav> of the page."""
    navs = re.findall(
        r"<nav aria-label=\"[^\"]*\" class=\"d-flex flex-wrap gap-2\">.*?</nav>", html, re.S
    )
    assert navs, "no pager on the page"
    return navs[-1]


def link(nav: str, text: str) -> dict[str, list[str]]:
    """The query of the pager's link that reads `text`."""
    found = re.search(rf'<a [^>]*href="([^"]*)"[^>]*>{re.escape(text)}</a>', nav)
    assert found, f"no link {text!r} in {nav}"
    return parse_qs(urlsplit(found.group(1).replace("&amp;", "&")).query)


def follow(client: Client, path: str, nav: str, text: str) -> str:
    query = link(nav, text)
    return client.get(path, {key: values[0] for key, values in query.items()}).content.decode()


def test_my_requests_pages_keep_the_search_and_the_status(servant: User) -> None:
    for number in range(PAGE_SIZE + 2):
        draft_request(servant, topic=f"Budget talk {number}")
    draft_request(servant, topic="Something else")
    client = signed_in(servant)

    first = client.get("/requests/", {"q": "Budget", "status": "draft"}).content.decode()
    nav = pager(first)
    assert 'aria-label="More requests"' in nav
    assert "Newest" not in nav  # already the first page
    older = link(nav, "Older requests")
    assert older["q"] == ["Budget"] and older["status"] == ["draft"] and older["after"]

    second = follow(client, "/requests/", nav, "Older requests")
    assert second.count("Budget talk") == 2 and "Something else" not in second
    nav = pager(second)
    assert "Older requests" not in nav  # the last page
    assert link(nav, "Newest") == {"q": ["Budget"], "status": ["draft"]}


def test_the_rows_htmx_swaps_in_carry_the_pager_with_the_filters(servant: User) -> None:
    for number in range(PAGE_SIZE + 1):
        draft_request(servant, topic=f"Budget talk {number}")
    client = signed_in(servant)

    rows = client.get(
        "/requests/",
        {"q": "Budget", "status": "draft"},
        headers={"HX-Request": "true", "HX-Target": "request-rows"},
    ).content.decode()

    assert "<html" not in rows
    nav = pager(rows)
    older = link(nav, "Older requests")
    assert older["q"] == ["Budget"] and older["status"] == ["draft"]
    assert 'hx-target="#request-rows"' in nav


def test_the_inbox_and_the_decided_list_page_on(servant: User, reporting_officer: User) -> None:
    from permissions import workflow

    requests = [submitted_request(servant) for _number in range(PAGE_SIZE + 1)]
    client = signed_in(reporting_officer)
    inbox = client.get("/inbox/").content.decode()
    assert link(pager(inbox), "More")["after"]
    second = follow(client, "/inbox/", pager(inbox), "More")
    assert link(pager(second), "First page") == {}

    for request in requests:
        workflow.approve(request.pk, by=reporting_officer)
    decided = client.get("/inbox/decided/").content.decode()
    assert link(pager(decided), "Earlier decisions")["after"]


def test_the_console_lists_keep_their_filters_and_sort(auditor: User, servant: User) -> None:
    for _number in range(PAGE_SIZE + 1):
        submitted_request(servant)
        audit.record(Action.LOGIN, actor=servant)
    client = signed_in(auditor)

    requests = client.get("/audit/requests/", {"status": "pending", "sort": "submitted"})
    nav = pager(requests.content.decode())
    assert 'aria-label="More requests"' in nav
    following = link(nav, "Next page")
    assert following["status"] == ["pending"] and following["sort"] == ["submitted"]
    second = follow(client, "/audit/requests/", nav, "Next page")
    assert link(pager(second), "First page") == {"status": ["pending"], "sort": ["submitted"]}

    log = client.get("/audit/log/", {"action": "login"}).content.decode()
    older = link(pager(log), "Older events")
    assert older["action"] == ["login"] and older["after"]


def test_a_single_page_shows_no_pager(servant: User) -> None:
    draft_request(servant)
    html = signed_in(servant).get("/requests/").content.decode()
    assert "Older requests" not in html and "Newest" not in html
