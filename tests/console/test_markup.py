"""What a strict content security policy and a screen reader need: no inline styles or
scripts on any console page, the console's own stylesheet, charts that are labelled
images with their figures in words, and tables with captions and header scopes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from permissions import workflow
from permissions.console.charts import Bar, Chart
from permissions.models import User
from tests.factories import submitted_request

pytestmark = pytest.mark.django_db

PAGES = [
    "/audit/",
    "/audit/requests/",
    "/audit/requests/?status=lost",
    "/audit/requests/{pk}/",
    "/audit/log/",
    "/audit/verification/",
    "/audit/verification/run/",
]


@pytest.fixture
def pk(servant: User, reporting_officer: User) -> int:
    request = submitted_request(servant)
    workflow.approve(request.pk, by=reporting_officer)
    return request.pk


@pytest.mark.parametrize("path", PAGES)
def test_no_inline_style_or_script(auditor_browser: Client, pk: int, path: str) -> None:
    html = auditor_browser.get(path.format(pk=pk)).content.decode()
    assert not re.search(r"\sstyle\s*=", html)
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)
    assert re.search(r"\son[a-z]+\s*=", html) is None
    assert '<link rel="stylesheet" href="/static/css/console.css">' in html


@pytest.mark.parametrize("path", PAGES)
def test_tables_have_captions_and_header_scopes(
    auditor_browser: Client, pk: int, path: str
) -> None:
    html = auditor_browser.get(path.format(pk=pk)).content.decode()
    for table in re.findall(r"<table.*?</table>", html, flags=re.S):
        assert "<caption" in table
        assert not re.search(r"<th(?=[\s>])(?![^>]*\sscope=)", table)


def test_the_console_templates_hold_no_inline_style_or_script() -> None:
    for template in (Path(settings.BASE_DIR) / "templates" / "console").glob("*.html"):
        text = template.read_text()
        assert "style=" not in text, template
        assert "<style" not in text, template
        assert "<script" not in text, template


def test_a_chart_is_a_labelled_image_with_its_figures_in_words() -> None:
    chart = Chart(
        key="chart-test",
        title="Requests <by> status",
        description="",
        label_heading="Status",
        value_heading="Requests",
        bars=[Bar("Pending & waiting", 3), Bar("Approved", 12_345), Bar("Expired", 0)],
    )
    html = str(chart.svg())
    assert html.startswith(
        '<div class="console-chart-bars" role="img" '
        'aria-labelledby="chart-test-title chart-test-desc">'
    )
    assert '<span id="chart-test-title" hidden>Requests &lt;by&gt; status</span>' in html
    assert (
        '<span id="chart-test-desc" hidden>'
        "Pending &amp; waiting: 3; Approved: 12,345; Expired: 0</span>"
    ) in html
    widths = re.findall(r'<rect class="console-chart-bar" width="([\d.]+%)"', html)
    assert widths == ["0.0%", "100.0%", "0.0%"]  # proportional to the largest
    assert re.findall(r'class="console-chart-value">([^<]*)<', html) == ["3", "12,345", "0"]
    assert "<script" not in html and "style=" not in html


def test_bars_are_as_long_as_their_share_of_the_largest() -> None:
    chart = Chart("chart-shares", "Shares", "", "L", "V", [Bar("A", 1), Bar("B", 4)])
    widths = re.findall(r'<rect class="console-chart-bar" width="([\d.]+%)"', str(chart.svg()))
    assert widths == ["25.0%", "100.0%"]


def test_an_empty_chart() -> None:
    chart = Chart("chart-empty", "Nothing", "", "Label", "Value", [])
    assert "<rect" not in str(chart.svg())


def test_a_long_label_is_shown_whole_to_wrap_not_shortened() -> None:
    label = "Ministry of Information and Broadcasting, National Heritage and Culture"
    html = str(Chart("chart-long", "Long", "", "L", "V", [Bar(label, 1)]).svg())
    assert f'<span class="console-chart-label">{label}</span>' in html
    assert "…" not in html


def test_chart_labels_are_drawn_at_a_readable_size_and_wrap() -> None:
    """Labels are HTML at 0.875rem (14 px of the usual 16), never an SVG text scaled down
    with the chart's width."""
    css = (Path(settings.BASE_DIR) / "static" / "css" / "console.css").read_text()
    rule = re.search(r"\.console-chart-label,\s*\.console-chart-value \{([^}]*)\}", css)
    assert rule is not None
    assert "font-size: 0.875rem" in rule.group(1)
    label = re.search(r"\n\.console-chart-label \{([^}]*)\}", css)
    assert label is not None
    assert "overflow-wrap: anywhere" in label.group(1)
    assert "text-overflow" not in css and "nowrap" not in label.group(1)
