"""The request search and the audit log say how many rows their filters match, in words,
counted no further than a cap: past it they say "More than …", and the count stops at the
cap's next row instead of counting the whole table."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from permissions import audit
from permissions.console import selectors
from permissions.models import User
from permissions.templatetags.console import grouped
from tests.factories import draft_request, submitted_request

pytestmark = pytest.mark.django_db


def count_text(html: str) -> str | None:
    found = re.search(r'<p [^>]*id="results-count" aria-live="polite">([^<]*)</p>', html)
    return found.group(1) if found else None


def test_the_request_search_says_how_many_match(auditor_browser: Client, servant: User) -> None:
    submitted_request(servant, topic="Flood relief briefing")
    submitted_request(servant, topic="Budget briefing")

    def said(**filters: str) -> str | None:
        return count_text(auditor_browser.get("/audit/requests/", filters).content.decode())

    assert said() == "2 requests"
    assert said(text="flood") == "1 request"
    assert said(text="census") == "0 requests"
    # Filters that cannot be used select nothing, so nothing is counted.
    assert said(submitted_from="2026-06-30", submitted_to="2026-06-01") is None


def test_past_the_cap_the_search_says_more_than_it(
    auditor_browser: Client, servant: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "RESULT_COUNT_CAP", 5)
    for _n in range(5):
        draft_request(servant)
    assert count_text(auditor_browser.get("/audit/requests/").content.decode()) == "5 requests"

    draft_request(servant)
    with CaptureQueriesContext(connection) as queries:
        html = auditor_browser.get("/audit/requests/").content.decode()
    assert count_text(html) == "More than 5 requests"
    counts = [query["sql"] for query in queries if query["sql"].startswith("SELECT COUNT(")]
    assert len(counts) == 1
    assert re.search(r"LIMIT 6\b", counts[0]), counts[0]
    assert "ORDER BY" not in counts[0]


def test_the_audit_log_says_how_many_events_match(
    auditor_browser: Client, servant: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit.record("login", actor=servant)
    one = auditor_browser.get("/audit/log/", {"actor": servant.username}).content.decode()
    assert count_text(one) == "1 event"

    monkeypatch.setattr(selectors, "RESULT_COUNT_CAP", 3)
    for _n in range(3):
        audit.record("login", actor=servant)
    many = auditor_browser.get("/audit/log/", {"actor": servant.username}).content.decode()
    assert count_text(many) == "More than 3 events"


def test_counts_mark_their_thousands() -> None:
    assert grouped(2345) == "2,345"
    assert grouped(10_000) == "10,000"
    assert grouped(7) == "7"
