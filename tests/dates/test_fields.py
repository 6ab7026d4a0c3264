"""Each date field, through its page: a day outside the window is refused beside the
field and nothing is kept; the window's first and last days are accepted."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.utils import timezone

from permissions.dates import earliest_date, latest_date
from permissions.models import AuditEvent

from .conftest import (
    DAY,
    FIELDS,
    DateField,
    Pages,
    day_input,
    has_error,
    moment_input,
    shows_window_message,
)

pytestmark = pytest.mark.django_db

OUTSIDE: dict[str, Callable[[], datetime.date]] = {
    "year-1": lambda: datetime.date.min,
    "day-before-the-window": lambda: earliest_date() - DAY,
    "day-after-the-window": lambda: latest_date() + DAY,
    "year-9999": lambda: datetime.date.max,
}


def typed(field: DateField, day: datetime.date, time: datetime.time) -> str:
    if field.kind == "datetime":
        return moment_input(datetime.datetime.combine(day, time))
    return day_input(day)


@pytest.mark.parametrize("field", FIELDS, ids=str)
@pytest.mark.parametrize("outside", OUTSIDE)
def test_a_date_outside_the_window_is_refused_beside_its_field(
    pages: Pages, field: DateField, outside: str
) -> None:
    day = OUTSIDE[outside]()
    # The calendar's very first and very last minutes.
    time = datetime.time(0, 0) if day < timezone.localdate() else datetime.time(23, 59)

    response = field.send(pages, typed(field, day, time))

    assert response.status_code in {200, 400}
    html = response.content.decode()
    assert has_error(html, field.name)
    assert shows_window_message(html)
    assert field.kept(pages) is None
    if not field.saves:
        assert "Correct the filters marked" in html


@pytest.mark.parametrize("field", FIELDS, ids=str)
@pytest.mark.parametrize("bound", ["first-day", "last-day"])
def test_the_first_and_last_days_of_the_window_are_accepted(
    pages: Pages, field: DateField, bound: str
) -> None:
    if bound == "first-day":
        day, time = earliest_date(), datetime.time(0, 0)
    else:
        day, time = latest_date(), datetime.time(23, 59)

    response = field.send(pages, typed(field, day, time))

    html = response.content.decode()
    assert not shows_window_message(html)
    if not field.window_is_the_only_rule:
        return
    assert response.status_code == (302 if field.saves else 200)
    if field.saves:
        expected = (
            timezone.make_aware(datetime.datetime.combine(day, time))
            if field.kind == "datetime"
            else day
        )
        assert field.kept(pages) == expected
    else:
        assert not has_error(html, field.name)


def test_the_date_pickers_offer_only_the_window(pages: Pages) -> None:
    html = pages.applicant.get("/requests/new/").content.decode()

    first, last = day_input(earliest_date()), day_input(latest_date())
    assert f'min="{first}T00:00"' in html
    assert f'max="{last}T23:59"' in html
    for name in ("period_start", "period_end"):
        assert f'min="{first}"' in _input(html, name)
        assert f'max="{last}"' in _input(html, name)


def _input(html: str, name: str) -> str:
    start = html.index(f'name="{name}"')
    return html[html.rindex("<input", 0, start) : html.index(">", start)]


@pytest.mark.parametrize(
    ("export", "field"),
    [("/audit/requests/export.csv", "submitted_from"), ("/audit/log/export.xlsx", "start")],
)
def test_an_export_with_a_date_outside_the_window_goes_back_to_the_filters(
    pages: Pages, export: str, field: str
) -> None:
    exports_before = AuditEvent.objects.filter(action="export").count()

    response = pages.auditor.get(export, {field: "0001-01-01"}, follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Correct the filters marked before exporting." in html
    assert has_error(html, field)
    assert shows_window_message(html)
    assert AuditEvent.objects.filter(action="export").count() == exports_before
