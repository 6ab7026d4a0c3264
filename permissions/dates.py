"""The window of dates a person may enter, and the form fields that keep to it.

Every date or date and time typed into the portal (an event, a period, a validity, a
delegation, a search filter) must fall on or after 1 January of DATE_EARLIEST_YEAR and
on or before DATE_MAX_YEARS_AHEAD years after today, in Pakistan. Outside it a date is
a slip of the keyboard, and near the calendar's ends it breaks the arithmetic the
portal does on it: year 1 in Pakistan is still year 0 in UTC, which PostgreSQL stores as
a BC timestamp it cannot hand back, and a validity added to the last day of year 9999
has nowhere to go.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "DateInput",
    "DateTimeInput",
    "WindowDateField",
    "WindowDateTimeField",
    "earliest_date",
    "latest_date",
    "local_day",
    "validate_in_window",
]

OUTSIDE_WINDOW = "outside_window"


def earliest_date() -> datetime.date:
    return datetime.date(settings.DATE_EARLIEST_YEAR, 1, 1)


def latest_date() -> datetime.date:
    """The same day DATE_MAX_YEARS_AHEAD years after today; 29 February becomes the 28th
    in a year that has none."""
    today = timezone.localdate()
    year = today.year + settings.DATE_MAX_YEARS_AHEAD
    try:
        return today.replace(year=year)
    except ValueError:
        return today.replace(year=year, day=28)


def local_day(moment: datetime.datetime) -> datetime.date | None:
    """The day a moment falls on in the portal's time zone; None when that day lies
    beyond the calendar (the first hours of year 1 or the last of year 9999, moved
    across time zones)."""
    if timezone.is_naive(moment):
        return moment.date()
    try:
        return timezone.localdate(moment)
    except OverflowError:
        return None


def _outside_window() -> ValidationError:
    return ValidationError(
        _("Enter a date between %(earliest)s and %(latest)s."),
        code=OUTSIDE_WINDOW,
        params={
            "earliest": formats.date_format(earliest_date()),
            "latest": formats.date_format(latest_date()),
        },
    )


def validate_in_window(value: datetime.date) -> None:
    """Refuse a date, or a date and time, outside the window. The one check every form
    uses."""
    day = local_day(value) if isinstance(value, datetime.datetime) else value
    if day is None or not earliest_date() <= day <= latest_date():
        raise _outside_window()


class _WindowInput(forms.widgets.DateTimeBaseInput):
    """Tells the browser's date picker the window, when the page is drawn (not when the
    form class is made: "today" moves)."""

    bound_format: str

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs.setdefault("min", self._bound(earliest_date(), datetime.time.min))
        widget_attrs.setdefault("max", self._bound(latest_date(), datetime.time(23, 59)))
        return context

    def _bound(self, day: datetime.date, time: datetime.time) -> str:
        return datetime.datetime.combine(day, time).strftime(self.bound_format)


class DateInput(_WindowInput, forms.DateInput):
    input_type = "date"
    bound_format = "%Y-%m-%d"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=self.bound_format)


class DateTimeInput(_WindowInput, forms.DateTimeInput):
    input_type = "datetime-local"
    bound_format = "%Y-%m-%dT%H:%M"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=self.bound_format)


class WindowDateField(forms.DateField):
    """A date inside the window; a malformed one stays "Enter a valid date"."""

    widget = DateInput
    default_validators = [validate_in_window]


class WindowDateTimeField(forms.DateTimeField):
    """A date and time inside the window, read in the portal's time zone as the
    browser's datetime-local input sends it.

    Reading "0001-01-01T00:00" cannot overflow (with zoneinfo, making it aware is a
    plain replace(), and Django turns any failure there into a field error); moving it
    into another zone can, and the first such move would be saving it in UTC. So the
    window is checked on the day in Pakistan time, and a moment that has no such day is
    outside it (`local_day`)."""

    widget = DateTimeInput
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    default_validators = [validate_in_window]

    def prepare_value(self, value: Any) -> Any:
        # A row written outside the portal may hold a moment that cannot be shown in
        # Pakistan time; show it as stored, so the form still opens and can correct it.
        try:
            return super().prepare_value(value)
        except OverflowError:
            return value
