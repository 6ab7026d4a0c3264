"""Dates and numbers as an Urdu reader expects them."""

from __future__ import annotations

import datetime

from django.utils import translation
from django.utils.formats import date_format, number_format

from tests.helpers import PKT


def test_an_urdu_page_writes_the_day_month_name_and_year_and_groups_by_lakhs() -> None:
    day = datetime.date(2026, 5, 4)
    moment = datetime.datetime(2026, 5, 4, 9, 30, tzinfo=PKT)
    with translation.override("ur"):
        assert date_format(day, "DATE_FORMAT") == "4 مئی 2026"
        assert date_format(moment, "DATETIME_FORMAT") == "4 مئی 2026، 09:30"
        assert date_format(day, "YEAR_MONTH_FORMAT") == "مئی 2026"
        assert number_format(1_500_000, force_grouping=True) == "15,00,000"
        assert number_format(12_345_678, force_grouping=True) == "1,23,45,678"
    with translation.override("en"):
        assert date_format(day, "DATE_FORMAT") == "4 May 2026"
        assert number_format(1_500_000, force_grouping=True) == "1,500,000"
