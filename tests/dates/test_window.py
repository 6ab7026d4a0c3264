"""The window itself: where it starts and ends, that it moves with the calendar, and
that its settings are checked when the portal starts."""

from __future__ import annotations

import datetime
import runpy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from permissions.dates import earliest_date, latest_date

from .conftest import DAY, Pages, day_input, has_error, shows_window_message

SETTINGS = Path(__file__).resolve().parents[2] / "conduct_portal" / "settings.py"
PKT = ZoneInfo("Asia/Karachi")


def test_the_window_runs_from_1947_to_five_years_after_today_by_default() -> None:
    with time_machine.travel(datetime.datetime(2026, 7, 15, 10, tzinfo=PKT), tick=False):
        assert earliest_date() == datetime.date(1947, 1, 1)
        assert latest_date() == datetime.date(2031, 7, 15)


def test_the_window_ends_on_pakistan_s_today_not_utc_s() -> None:
    # 1 a.m. on 1 January in Karachi is still 31 December in UTC.
    with time_machine.travel(datetime.datetime(2027, 1, 1, 1, tzinfo=PKT), tick=False):
        assert latest_date() == datetime.date(2032, 1, 1)


def test_from_29_february_the_window_ends_on_28_february() -> None:
    with time_machine.travel(datetime.datetime(2028, 2, 29, 10, tzinfo=PKT), tick=False):
        assert latest_date() == datetime.date(2033, 2, 28)


@pytest.mark.django_db
def test_the_window_follows_its_settings(pages: Pages, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATE_EARLIEST_YEAR = 2020
    settings.DATE_MAX_YEARS_AHEAD = 1
    first, last = datetime.date(2020, 1, 1), latest_date()

    for day, refused in [(first - DAY, True), (first, False), (last, False), (last + DAY, True)]:
        html = pages.search_log(start=day_input(day)).content.decode()
        assert has_error(html, "start") is refused, day
        assert shows_window_message(html) is refused, day


def _start_portal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **variables: str
) -> dict[str, object]:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DEBUG", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_the_window_s_settings_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    started = _start_portal(
        monkeypatch, tmp_path, DATE_EARLIEST_YEAR="1990", DATE_MAX_YEARS_AHEAD="2"
    )
    assert (started["DATE_EARLIEST_YEAR"], started["DATE_MAX_YEARS_AHEAD"]) == (1990, 2)


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("DATE_EARLIEST_YEAR", "nineteen", "DATE_EARLIEST_YEAR must be a whole number"),
        ("DATE_EARLIEST_YEAR", "1", "DATE_EARLIEST_YEAR must be at least 1900"),
        ("DATE_EARLIEST_YEAR", "9999", "DATE_EARLIEST_YEAR must not be after this year"),
        ("DATE_MAX_YEARS_AHEAD", "0", "DATE_MAX_YEARS_AHEAD must be at least 1"),
        ("DATE_MAX_YEARS_AHEAD", "8000", "DATE_MAX_YEARS_AHEAD must be at most 100"),
        ("DATE_MAX_YEARS_AHEAD", "5.5", "DATE_MAX_YEARS_AHEAD must be a whole number"),
    ],
)
def test_a_bad_window_setting_stops_the_portal_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str, complaint: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=complaint):
        _start_portal(monkeypatch, tmp_path, **{name: value})
