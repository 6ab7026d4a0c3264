"""Any date at all, typed into any date field: it is kept as typed, or refused beside a
field with nothing kept, and never a server error. Dates are drawn from the whole
calendar (years 1 to 9999), from around the window's ends, and as text that is no date.
Derandomised, so every run tries the same dates."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from permissions.dates import earliest_date, latest_date
from tests.views.conftest import field_errors

from .conftest import DAY, FIELDS, DateField, Pages, day_input, has_error, shows_window_message

pytestmark = pytest.mark.django_db

# Half the profile's examples for each of the fifteen fields (12 by default; a deep run,
# HYPOTHESIS_PROFILE=deep, tries 500 each).
EXAMPLES_PER_FIELD = max(10, settings.default.max_examples // 2)
PKT = ZoneInfo(django_settings.TIME_ZONE)
YEARS = datetime.timedelta(days=3 * 365)

# What a typed text means: a date, an aware moment, or None where the text is no plain
# date (any outcome will do, except a server error).
Meaning = datetime.date | None


def _days() -> st.SearchStrategy[datetime.date]:
    first, last = earliest_date(), latest_date()
    return st.one_of(
        st.dates(),
        st.dates(min_value=first - YEARS, max_value=last + YEARS),
        st.sampled_from(
            [datetime.date.min, datetime.date.max, first - DAY, first, last, last + DAY]
        ),
    )


NOT_DATES = st.one_of(
    st.sampled_from(
        ["", "0000-01-01", "10000-01-01", "2026-02-30", "2026-13-01", "31/12/2026", "tomorrow"]
    ),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=16),
).map(lambda text: (text, None))


def _typed_day(day: datetime.date) -> tuple[str, Meaning]:
    return day_input(day), day


# A datetime-local input sends no offset; a hand-made request may add one.
OFFSETS = {"": None, "Z": 0, "+05:00": 5 * 60, "-12:00": -12 * 60, "+14:00": 14 * 60}


def _typed_moment(day: datetime.date, time: datetime.time, offset: str) -> tuple[str, Meaning]:
    text = f"{day_input(day)}T{time.hour:02d}:{time.minute:02d}{offset}"
    wall = datetime.datetime.combine(day, time.replace(second=0, microsecond=0))
    minutes = OFFSETS[offset]
    if minutes is not None:
        return text, wall.replace(tzinfo=datetime.timezone(datetime.timedelta(minutes=minutes)))
    moment = wall.replace(tzinfo=PKT)
    if PKT.utcoffset(moment.replace(fold=1)) != PKT.utcoffset(moment):
        return text, None  # a time the clocks skipped or passed twice (Pakistan, 2008-09)
    return text, moment


def typed(kind: str) -> st.SearchStrategy[tuple[str, Meaning]]:
    if kind == "datetime":
        moments = st.builds(_typed_moment, _days(), st.times(), st.sampled_from(list(OFFSETS)))
        return st.one_of(moments, NOT_DATES)
    return st.one_of(_days().map(_typed_day), NOT_DATES)


def in_window(meaning: datetime.date) -> bool:
    if isinstance(meaning, datetime.datetime):
        try:
            meaning = meaning.astimezone(PKT).date()
        except OverflowError:
            return False
    return earliest_date() <= meaning <= latest_date()


@pytest.mark.parametrize("field", FIELDS, ids=str)
def test_any_date_is_kept_as_typed_or_refused_beside_a_field(
    pages: Pages, field: DateField
) -> None:
    @settings(
        max_examples=EXAMPLES_PER_FIELD,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(typed(field.kind))
    def send(typed_text: tuple[str, Meaning]) -> None:
        text, meaning = typed_text
        response = field.send(pages, text)

        assert response.status_code in {200, 302, 400}
        html = response.content.decode()
        if field.saves:
            refused = response.status_code != 302
            kept = field.kept(pages)
            if refused:
                assert field_errors(html), "refused without saying where"
                assert kept is None
            elif meaning is not None:
                assert kept == meaning
        else:
            assert response.status_code == 200
            refused = has_error(html, field.name)
        if meaning is None:
            return
        if not in_window(meaning):
            assert refused
            assert has_error(html, field.name)
            assert shows_window_message(html)
        elif field.window_is_the_only_rule:
            assert not refused, field_errors(html)

    send()
