"""The console's filter forms show their three most used filters, and fold the rest into
a native <details> ("More filters"), drawn open whenever one of those is in use, so that
no filter that shapes the results is out of sight."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def more_filters(html: str) -> tuple[bool, list[str]]:
    """Whether "More filters" is drawn open, and the names of the fields inside it."""
    opening = re.search(r'<details class="console-more-filters[^"]*"( open)?>', html)
    assert opening is not None
    inside = html[opening.end() : html.index("</details>", opening.end())]
    assert "<summary>More filters</summary>" in inside
    return opening.group(1) is not None, re.findall(r'\sname="([a-z_]+)"', inside)


def shown_first(html: str) -> list[str]:
    """The names of the fields drawn before "More filters"."""
    start = html.index('<section aria-labelledby="filters-heading"')
    form = html[start : html.index('<details class="console-more-filters', start)]
    return re.findall(r'\sname="([a-z_]+)"', form)


def test_the_request_search_shows_three_filters_and_folds_the_rest(
    auditor_browser: Client,
) -> None:
    html = auditor_browser.get("/audit/requests/").content.decode()
    assert shown_first(html) == ["text", "status", "organisation"]
    is_open, folded = more_filters(html)
    assert not is_open
    assert set(folded) == {
        "reference",
        "applicant",
        "decided_by",
        "category",
        "platform",
        "sort",
        "submitted_from",
        "submitted_to",
        "decided_from",
        "decided_to",
        "valid_from",
        "valid_to",
    }


@pytest.mark.parametrize(
    ("filters", "drawn_open"),
    [
        ({"text": "flood", "status": "pending", "sort": "newest", "reference": ""}, False),
        ({"reference": "MP-2026"}, True),
        ({"decided_by": "khan"}, True),
        ({"valid_from": "2026-01-01"}, True),
        ({"sort": "reference"}, True),
        # A folded filter with an error is shown with its error.
        ({"submitted_from": "2026-06-30", "submitted_to": "2026-06-01"}, True),
    ],
)
def test_more_filters_is_open_when_one_of_them_is_in_use(
    auditor_browser: Client, filters: dict[str, str], drawn_open: bool
) -> None:
    html = auditor_browser.get("/audit/requests/", filters).content.decode()
    assert more_filters(html)[0] is drawn_open


def test_the_audit_log_folds_its_dates_and_whose_organisation(auditor_browser: Client) -> None:
    html = auditor_browser.get("/audit/log/").content.decode()
    assert shown_first(html) == ["action", "actor", "organisation"]
    assert more_filters(html) == (False, ["start", "end", "organisation_of"])

    left_alone = auditor_browser.get(
        "/audit/log/", {"action": "login", "organisation_of": "either"}
    ).content.decode()
    assert more_filters(left_alone)[0] is False
    dated = auditor_browser.get("/audit/log/", {"start": "2026-01-01"}).content.decode()
    assert more_filters(dated)[0] is True


def test_a_kept_drawing_opens_only_for_the_search_it_was_drawn_for(
    auditor_browser: Client,
) -> None:
    """The drawn form is kept in the cache per search: one with a folded filter set must
    not hand its open <details> to one without."""
    for _visit in range(2):
        folded = auditor_browser.get("/audit/requests/", {"reference": "MP"}).content.decode()
        plain = auditor_browser.get("/audit/requests/", {"status": "pending"}).content.decode()
        assert more_filters(folded)[0] is True
        assert more_filters(plain)[0] is False
