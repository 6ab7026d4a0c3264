"""The dashboard's figures against a small history whose every moment is fixed, so each
figure can be worked out by hand.

Now is 30 June 2026, noon in Pakistan. The window of the last 12 months starts on
1 July 2025. Decisions in the window, from first submission:
  A  1 Jun 10:00 → approved  2 Jun 10:00   1 day   (expired on 6 Jun)
  B  3 Jun 10:00 → rejected  5 Jun 10:00   2 days  (Ministry of Railways, radio)
  C  5 Jun 09:00 → returned, resubmitted, approved 9 Jun 09:00: 4 days (revoked 20 Jun)
  D 10 Jun 08:00 → approved 20 Jun 08:00  10 days  (valid until 15 July: expiring)
Sorted: 1, 2, 4, 10 days. Median (2 + 4) / 2 = 3 days; 90th percentile by nearest rank:
rank ceil(0.9 * 4) = 4, so 10 days.
  I  submitted 16 May 2025, approved 15 June 2025 (before the window), expired.
  E  submitted 20 Jun 10:00, still pending: overdue (more than 3 days).
  F  submitted 29 Jun 10:00, still pending: not overdue.
  G  submitted 15 May 2026 (print), withdrawn.
  H  a draft never submitted.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client

from permissions import workflow
from permissions.console import dashboard
from permissions.console.charts import Chart
from permissions.models import ConductRule, User
from permissions.workflow import Approval
from tests.factories import draft_request, platform, submitted_request
from tests.helpers import PKT

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 30, 12, 0, tzinfo=PKT)
DAY = datetime.timedelta(days=1)


def at(month: int, day: int, hour: int, year: int = 2026) -> time_machine.travel:
    return time_machine.travel(datetime.datetime(year, month, day, hour, 0, tzinfo=PKT), tick=False)


def valid(start: datetime.date, end: datetime.date) -> Approval:
    return Approval(valid_from=start, valid_until=end)


@pytest.fixture
def history(
    servant: User, reporting_officer: User, press_officer: User, railway_officer: User
) -> None:
    rule = ConductRule.objects.get(number="22")
    with at(5, 16, 10, year=2025):
        i = submitted_request(servant)
    with at(6, 15, 10, year=2025):
        workflow.approve(
            i.pk,
            by=reporting_officer,
            approval=valid(datetime.date(2025, 6, 15), datetime.date(2025, 6, 30)),
        )
    with at(7, 1, 10, year=2025):
        workflow.expire(i.pk)

    with at(5, 15, 10):
        g = submitted_request(servant, platform=platform("print"), participation="article")
    with at(5, 16, 10):
        workflow.withdraw(g.pk, by=servant)

    with at(6, 1, 10):
        a = submitted_request(servant)
    with at(6, 2, 10):
        workflow.approve(
            a.pk,
            by=reporting_officer,
            approval=valid(datetime.date(2026, 6, 2), datetime.date(2026, 6, 5)),
        )
    with at(6, 6, 10):
        workflow.expire(a.pk)

    with at(6, 3, 10):
        b = submitted_request(railway_officer, platform=platform("radio"))
    with at(6, 5, 10):
        workflow.reject(b.pk, by=railway_officer.reporting_officer, reason="Not now.", rule=rule)

    with at(6, 5, 9):
        c = submitted_request(
            press_officer,
            platform=platform("social_media"),
            participation="post",
            account_type="official",
        )
    with at(6, 6, 9):
        workflow.return_for_clarification(c.pk, by=reporting_officer, reason="Which page?")
    with at(6, 7, 9):
        workflow.resubmit(c.pk, by=press_officer, declaration=True)
    with at(6, 9, 9):
        workflow.approve(c.pk, by=reporting_officer)
    with at(6, 20, 9):
        workflow.revoke(c.pk, by=reporting_officer, reason="The page carried political content.")

    with at(6, 10, 8):
        d = submitted_request(servant)
    with at(6, 20, 8):
        workflow.approve(
            d.pk,
            by=reporting_officer,
            approval=valid(datetime.date(2026, 6, 20), datetime.date(2026, 7, 15)),
        )

    with at(6, 20, 10):
        submitted_request(servant, topic="Overdue")
    with at(6, 29, 10):
        submitted_request(servant, topic="Recent")
    with at(6, 29, 11):
        draft_request(servant, topic="Never submitted")


def bars(chart: Chart) -> dict[str, int]:
    return {bar.label: bar.value for bar in chart.bars}


def test_the_figures(history: None) -> None:
    with time_machine.travel(NOW, tick=False):
        figures = dashboard.build()

    assert figures.submitted == 8
    assert figures.drafts == 1
    assert bars(figures.by_status) == {
        "Pending": 2,
        "Returned for clarification": 0,
        "Approved": 1,
        "Rejected": 1,
        "Withdrawn": 1,
        "Revoked": 1,
        "Expired": 2,
    }
    assert figures.outcomes.approved_once == 4
    assert figures.outcomes.decided == 5
    assert figures.outcomes.approval_rate == pytest.approx(80.0)
    assert figures.window_start == datetime.date(2025, 7, 1)
    assert figures.turnaround.count == 4
    assert figures.turnaround.median == 3 * DAY
    assert figures.turnaround.p90 == 10 * DAY
    assert bars(figures.by_category) == {
        "Television": 5,
        "Radio": 1,
        "Print (newspaper, magazine, book)": 1,
        "Social media": 1,
        "Podcast or online video": 0,
        "Press conference or media talk": 0,
        "Business promotion": 0,
    }
    assert bars(figures.by_organisation) == {
        "Ministry of Information": 7,
        "Ministry of Railways": 1,
    }
    months = bars(figures.by_month)
    labels = list(months)
    assert labels[0] == "Jul 2025"
    assert labels[-1] == "Jun 2026"
    assert len(labels) == 12
    assert months["Jun 2026"] == 6
    assert months["May 2026"] == 1
    assert sum(months.values()) == 7
    assert figures.overdue_days == 3
    assert figures.overdue_count == 1
    assert [step.request.topic for step in figures.overdue_steps] == ["Overdue"]
    assert figures.expiring_count == 1
    assert [request.valid_until for request in figures.expiring] == [datetime.date(2026, 7, 15)]


def _table(html: str, title: str) -> dict[str, str]:
    table = html[html.index(f"<caption>{title}</caption>") :]
    table = table[: table.index("</tbody>")]
    return dict(
        re.findall(
            r'<th scope="row" class="fw-normal">([^<]+)</th><td class="text-end">(\d+)</td>', table
        )
    )


def test_the_page(history: None, auditor_browser: Client) -> None:
    with time_machine.travel(NOW, tick=False):
        response = auditor_browser.get("/audit/")
    html = response.content.decode()

    def card(name: str) -> str:
        start = html.index(f'id="figure-{name}"')
        return re.sub(r"\s+", " ", html[start : html.index("</div>", start)])

    assert '<p class="console-figure-value mb-1">8</p>' in card("submitted")
    assert "and 1 draft not yet submitted" in card("submitted")
    assert "80.0%" in card("approval-rate")
    assert "4 approved of 5 decided" in card("approval-rate")
    assert '<dd class="col-6 mb-0" id="turnaround-median">3 days</dd>' in html
    assert '<dd class="col-6 mb-0" id="turnaround-p90">10 days</dd>' in html
    assert "over 4 decisions since 1 Jul 2025" in card("turnaround")
    assert '<p class="console-figure-value mb-1">1</p>' in card("overdue")
    assert "more than 3 days" in card("overdue")
    assert '<p class="console-figure-value mb-1">1</p>' in card("expiring")
    # Every figure says in a sentence what it counts.
    for name in ("submitted", "approval-rate", "turnaround", "overdue", "expiring"):
        assert 'class="console-figure-meaning' in card(name), name
    assert (
        "Approval steps waiting for a decision now, across every organisation, for more "
        "than 3 days."
    ) in card("overdue")
    assert "whose permission ends within the next 30 days" in card("expiring")
    # The definitions are on the page, after the charts they explain, not between them
    # and the figures.
    assert html.index('id="key-figures"') < html.index('id="chart-status-heading"')
    assert html.index('id="chart-month-heading"') < html.index('id="definitions"')
    assert "90th percentile" in html and "nearest rank" in html
    assert "mean of the two middle ones" in html
    # Each chart has its figures as a table too.
    assert _table(html, "Requests by status")["Expired"] == "2"
    assert _table(html, "Requests by ministry") == {
        "Ministry of Information": "7",
        "Ministry of Railways": "1",
    }
    assert _table(html, "Requests submitted per month")["Jun 2026"] == "6"
    assert _table(html, "Requests by platform category")["Television"] == "5"


def test_an_empty_portal(auditor_browser: Client) -> None:
    response = auditor_browser.get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "over 0 decisions" in html
    assert 'id="turnaround-median">—</dd>' in html
    assert "No request has been submitted yet." in html
    assert "Never verified yet." in html


@pytest.mark.parametrize(
    ("days", "median", "p90"),
    [
        ([5], 5, 5),
        ([1, 2], 1.5, 2),
        ([4, 1, 10, 2], 3, 10),
        ([3, 1, 2], 2, 3),
        (list(range(1, 11)), 5.5, 9),
        (list(range(1, 21)), 10.5, 18),
        (list(range(1, 12)), 6, 10),
    ],
)
def test_median_and_nearest_rank(days: list[int], median: float, p90: int) -> None:
    values = sorted(d * DAY for d in days)
    assert dashboard.median(values) == median * DAY
    assert dashboard.nearest_rank(values, 90) == p90 * DAY


def test_no_values() -> None:
    assert dashboard.median([]) is None
    assert dashboard.nearest_rank([], 90) is None


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (datetime.timedelta(seconds=20), "under a minute"),
        (datetime.timedelta(minutes=1), "1 minute"),
        (datetime.timedelta(hours=5, minutes=20), "5 hours 20 minutes"),
        (DAY, "1 day"),
        (3 * DAY, "3 days"),
        (datetime.timedelta(days=2, hours=1, minutes=59), "2 days 1 hour"),
    ],
)
def test_durations_read_as_words(value: datetime.timedelta | None, text: str) -> None:
    assert dashboard.duration_text(value) == text
