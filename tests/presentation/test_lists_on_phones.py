"""What the people's lists say and carry for a phone: how many rows they show, in words
that agree with the number; a sentence that htmx rewrites in place when the rows change;
every cell naming its column for the card it becomes; references that never break."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from permissions import workflow
from permissions.models import User
from tests.factories import draft_request, submitted_request

from .conftest import World, signed_in, visible_text

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"MP-\d{4}-\d{6}")
HTMX_ROWS = {"HX-Request": "true", "HX-Target": "request-rows"}


def result(html: str, element_id: str) -> list[str]:
    """The sentence in each element with this id: the status line of a list."""
    found = re.findall(rf'<p id="{element_id}"[^>]*>(.*?)</p>', html, re.S)
    return [" ".join(" ".join(visible_text(sentence)).split()) for sentence in found]


class _Tables(HTMLParser):
    """Of each stacked table: its column names, each cell's data-label and whether the
    references in a cell are kept from wrapping."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict[str, list]] = []
        self._open: list[tuple[str, set[str]]] = []
        self._header: list[str] | None = None
        self._header_hidden = False
        self.loose_references: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        if tag == "table" and "table-stacked" in classes:
            self.tables.append({"columns": [], "cells": []})
        if self.tables and tag == "th":
            self._header, self._header_hidden = [], False
        if self._header is not None and "visually-hidden" in classes:
            self._header_hidden = True
        if self.tables and tag == "td":
            self.tables[-1]["cells"].append(attributes.get("data-label"))
        self._open.append((tag, classes))

    def handle_endtag(self, tag: str) -> None:
        if tag == "th" and self._header is not None:
            name = " ".join("".join(self._header).split())
            self.tables[-1]["columns"].append("" if self._header_hidden else name)
            self._header = None
        while self._open:
            opened, _classes = self._open.pop()
            if opened == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._header is not None:
            self._header.append(data)
        in_cell = any(tag == "td" for tag, _classes in self._open)
        kept_whole = any("text-nowrap" in classes for _tag, classes in self._open)
        if in_cell and not kept_whole:
            self.loose_references += REFERENCE.findall(data)


def stacked_tables(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    parser.close()
    return parser


# --- counts in words that agree with the number -----------------------------------------


def test_the_servants_list_counts_its_requests_in_the_right_number(
    servant: User, settings: Any
) -> None:
    settings.PAGE_SIZE = 5
    client = signed_in(servant)
    assert result(client.get("/requests/").content.decode(), "request-result") == [
        "You have not filed any request yet."
    ]

    draft_request(servant)
    assert result(client.get("/requests/").content.decode(), "request-result") == [
        "Showing 1 request."
    ]

    for _number in range(2):
        draft_request(servant)
    assert result(client.get("/requests/").content.decode(), "request-result") == [
        "Showing 3 requests."
    ]

    for _number in range(3):
        draft_request(servant)
    first = client.get("/requests/").content.decode()
    assert result(first, "request-result") == ["Showing 5 requests; older ones follow."]
    after = re.search(r'href="\?after=([^"&]+)"', first)
    assert after
    second = client.get("/requests/", {"after": after.group(1)}).content.decode()
    assert result(second, "request-result") == ["Showing 1 request."]


def test_a_filter_that_finds_nothing_says_so(servant: User) -> None:
    draft_request(servant, topic="Water policy")
    html = signed_in(servant).get("/requests/", {"q": "budget"}).content.decode()
    assert result(html, "request-result") == ["No request matches these filters."]
    assert "<table" not in html


def test_the_officers_lists_count_in_the_right_number(
    servant: User, reporting_officer: User
) -> None:
    first = submitted_request(servant)
    client = signed_in(reporting_officer)
    assert result(client.get("/inbox/").content.decode(), "inbox-result") == ["Showing 1 request."]
    second = submitted_request(servant)
    assert result(client.get("/inbox/").content.decode(), "inbox-result") == ["Showing 2 requests."]
    assert result(client.get("/inbox/decided/").content.decode(), "decided-result") == [
        "You have not decided any request yet."
    ]

    workflow.approve(first.pk, by=reporting_officer)
    assert result(client.get("/inbox/decided/").content.decode(), "decided-result") == [
        "Showing 1 decision."
    ]
    workflow.approve(second.pk, by=reporting_officer)
    assert result(client.get("/inbox/decided/").content.decode(), "decided-result") == [
        "Showing 2 decisions."
    ]
    assert result(client.get("/inbox/").content.decode(), "inbox-result") == [
        "Nothing is waiting for you."
    ]


def test_notifications_count_the_unread_in_the_right_number(
    servant: User, reporting_officer: User
) -> None:
    client = signed_in(reporting_officer)
    submitted_request(servant)
    assert "You have 1 unread notification." in client.get("/notifications/").content.decode()
    submitted_request(servant)
    assert "You have 2 unread notifications." in client.get("/notifications/").content.decode()
    client.post("/notifications/read/")
    assert "You have read every notification." in client.get("/notifications/").content.decode()


# --- what htmx swaps -----------------------------------------------------------------


def test_the_rows_htmx_swaps_in_rewrite_the_sentence_screen_readers_hear(
    servant: User,
) -> None:
    draft_request(servant, topic="Budget talk")
    draft_request(servant, topic="Water policy")
    client = signed_in(servant)

    page = client.get("/requests/").content.decode()
    # One live region, outside the rows, so it is still there when they are replaced.
    assert page.count('id="request-result"') == 1
    region = re.search(r'<p id="request-result"[^>]*>', page)
    assert region and 'aria-live="polite"' in region.group(0)
    assert page.index('id="request-result"') < page.index('id="request-rows"')

    rows = client.get("/requests/", {"q": "Budget"}, headers=HTMX_ROWS).content.decode()
    assert "<html" not in rows
    assert '<p id="request-result" hx-swap-oob="innerHTML">' in rows
    assert result(rows, "request-result") == ["Showing 1 request."]

    rows = client.get("/requests/", {"q": "Nothing"}, headers=HTMX_ROWS).content.decode()
    assert result(rows, "request-result") == ["No request matches these filters."]


def test_the_pagers_rows_carry_the_sentence_too(servant: User, reporting_officer: User) -> None:
    submitted_request(servant)
    rows = (
        signed_in(reporting_officer)
        .get("/inbox/", headers={"HX-Request": "true", "HX-Target": "inbox-rows"})
        .content.decode()
    )
    assert "<html" not in rows
    assert result(rows, "inbox-result") == ["Showing 1 request."]


# --- cards that name their columns, references whole ---------------------------------------


def pages_of(world: World) -> dict[str, str]:
    def page(user: User, path: str) -> str:
        client: Client = signed_in(user)
        return str(client.get(path).content.decode())

    return {
        "my requests": page(world.servant, "/requests/"),
        "inbox": page(world.countersigning_officer, "/inbox/"),
        "decided": page(world.reporting_officer, "/inbox/decided/"),
        "exports": page(world.auditor, "/audit/exports/"),
    }


def test_every_cell_names_its_column_and_every_reference_stays_whole(world: World) -> None:
    for name, html in pages_of(world).items():
        parsed = stacked_tables(html)
        assert len(parsed.tables) == 1, name
        table = parsed.tables[0]
        columns, cells = table["columns"], table["cells"]
        assert cells, f"{name} shows no rows"
        assert len(cells) % len(columns) == 0, name
        for index, label in enumerate(cells):
            assert label == columns[index % len(columns)], (name, index, label)
        assert parsed.loose_references == [], name
