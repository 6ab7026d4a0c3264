"""Horizontal bar charts as SVG markup, drawn on the server: no script, no library, and
nothing a strict content security policy refuses (colours come from console.css).

Each chart is an image with a title and a description that reads out every figure;
the template shows the same figures as a table beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 640
LABEL_WIDTH = 240
BAR_SPACE = 340
ROW_HEIGHT = 26
BAR_HEIGHT = 18
LABEL_CHARACTERS = 28


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
        return bar_chart(self)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def bar_chart(chart: Chart) -> SafeString:
    largest = max((bar.value for bar in chart.bars), default=0)
    height = max(ROW_HEIGHT, ROW_HEIGHT * len(chart.bars)) + 4
    rows = []
    for index, bar in enumerate(chart.bars):
        top = 2 + index * ROW_HEIGHT
        length = round(BAR_SPACE * bar.value / largest) if largest else 0
        middle = top + ROW_HEIGHT // 2
        rows.append(
            (
                bar.label,
                number_format(bar.value),
                LABEL_WIDTH - 8,
                middle,
                _short(bar.label),
                LABEL_WIDTH,
                top + (ROW_HEIGHT - BAR_HEIGHT) // 2,
                length,
                BAR_HEIGHT,
                LABEL_WIDTH + length + 6,
                middle,
                number_format(bar.value),
            )
        )
    body = format_html_join(
        "",
        "<g><title>{}: {}</title>"
        '<text class="console-chart-label" x="{}" y="{}" text-anchor="end" '
        'dominant-baseline="middle">{}</text>'
        '<rect class="console-chart-bar" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text class="console-chart-value" x="{}" y="{}" dominant-baseline="middle">{}</text>'
        "</g>",
        rows,
    )
    description = "; ".join(f"{bar.label}: {number_format(bar.value)}" for bar in chart.bars)
    return format_html(
        '<svg class="console-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        'viewBox="0 0 {} {}" aria-labelledby="{}-title {}-desc">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        height,
        chart.key,
        chart.key,
        chart.key,
        chart.title,
        chart.key,
        description,
        body,
    )
