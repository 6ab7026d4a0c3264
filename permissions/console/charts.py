"""Horizontal bar charts drawn on the server: no script, no library, and nothing a strict
content security policy refuses (colours and sizes come from console.css).

Each bar is a row of HTML: its label, which wraps onto a second line rather than being
shortened, at the page's own type size whatever the chart's width; the bar, an SVG
rectangle whose length is the bar's share of the largest, given as the rectangle's width
attribute (an attribute, not a style, so the policy has nothing to refuse); and the
figure. The chart as a whole is an image with a title and a description that reads out
every figure; the template shows the same figures as a table beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


@dataclass(frozen=True)
class Chart:
    """`key` makes the ids of the chart's title and description unique on the page."""

    key: str
    title: Any
    description: Any
    label_heading: Any
    value_heading: Any
    bars: list[Bar]

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)

    def svg(self) -> SafeString:
        """The chart's markup (each bar an SVG rectangle)."""
        return bar_chart(self)


def _figure(value: int) -> str:
    return number_format(value, force_grouping=True)


def _share(value: int, largest: int) -> str:
    """The bar's length as a percentage of the longest bar, for its width attribute (a
    dot, never the reader's decimal comma: SVG reads it)."""
    return f"{100 * value / largest:.1f}%" if largest else "0%"


def bar_chart(chart: Chart) -> SafeString:
    largest = max((bar.value for bar in chart.bars), default=0)
    rows = format_html_join(
        "",
        '<div class="console-chart-row">'
        '<span class="console-chart-label">{}</span>'
        '<svg class="console-chart" xmlns="http://www.w3.org/2000/svg" aria-hidden="true" '
        'focusable="false"><rect class="console-chart-bar" width="{}" height="100%"></rect>'
        "</svg>"
        '<span class="console-chart-value">{}</span>'
        "</div>",
        ((bar.label, _share(bar.value, largest), _figure(bar.value)) for bar in chart.bars),
    )
    description = "; ".join(f"{bar.label}: {_figure(bar.value)}" for bar in chart.bars)
    # An image to assistive technology: its name and description say every figure, and
    # the rows inside are not read a second time.
    return format_html(
        '<div class="console-chart-bars" role="img" aria-labelledby="{}-title {}-desc">'
        '<span id="{}-title" hidden>{}</span><span id="{}-desc" hidden>{}</span>{}</div>',
        chart.key,
        chart.key,
        chart.key,
        chart.title,
        chart.key,
        description,
        rows,
    )
