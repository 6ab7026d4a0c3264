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
        bars=[Bar("Pending & waiting", 3), Bar("Approved", 12), Bar("Expired", 0)],
    )
    svg = str(chart.svg())
    assert svg.startswith(
        '<svg class="console-chart" xmlns="http://www.w3.org/2000/svg" role="img"'
    )
    assert 'aria-labelledby="chart-test-title chart-test-desc"' in svg
    assert '<title id="chart-test-title">Requests &lt;by&gt; status</title>' in svg
    assert (
        '<desc id="chart-test-desc">Pending &amp; waiting: 3; Approved: 12; Expired: 0</desc>'
        in svg
    )
    widths = [
        int(w) for w in re.findall(r'<rect class="console-chart-bar" [^>]*width="(\d+)"', svg)
    ]
    assert widths == [85, 340, 0]  # proportional to the largest
    assert "<script" not in svg and "style=" not in svg


def test_an_empty_chart() -> None:
    chart = Chart("chart-empty", "Nothing", "", "Label", "Value", [])
    assert "<rect" not in str(chart.svg())


def test_a_long_label_is_shortened_in_the_picture_not_in_words() -> None:
    label = "Ministry of Information and Broadcasting, National Heritage and Culture"
    svg = str(Chart("chart-long", "Long", "", "L", "V", [Bar(label, 1)]).svg())
    assert f"<title>{label}: 1</title>" in svg
    assert "Ministry of Information and…</text>" in svg
