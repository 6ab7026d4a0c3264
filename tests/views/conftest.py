"""Helpers for the page tests: form data as a browser posts it, and checks on where a
message appears in the page."""

from __future__ import annotations

import datetime
import re

from django.utils import formats, timezone
from django.utils.html import escape

from tests.conftest import browser  # noqa: F401 - other folders import it from here
from tests.factories import platform


def local_input(moment: datetime.datetime) -> str:
    """A moment as a datetime-local input sends it, in the portal's time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def shown(day: datetime.date) -> str:
    """A date as the pages print it."""
    return formats.date_format(day)


def request_form_data(**overrides: object) -> dict[str, object]:
    """The request form as a browser posts it: a TV interview next week. A value of None
    leaves the field out, as an unticked checkbox is left out."""
    data: dict[str, object] = {
        "platform": platform("television").pk,
        "participation": "interview",
        "outlet": "PTV News, 'Policy Matters'",
        "outlet_url": "",
        "topic": "Digital services for citizens",
        "summary": "How the new online services reduce visits to offices.",
        "capacity": "official",
        "account_type": "",
        "timing": "one_off",
        "event_at": local_input(timezone.now() + datetime.timedelta(days=7)),
        "period_start": "",
        "period_end": "",
        "official_information_justification": "",
        "honorarium_amount": "",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def field_block(html: str, field: str) -> str:
    """The part of the page that crispy-forms renders for one field: its label, input
    and messages, up to the next field."""
    start = html.find(f'id="div_id_{field}"')
    assert start != -1, f"no field {field} on the page"
    following = html.find('id="div_id_', start + 1)
    return html[start : following if following != -1 else len(html)]


def assert_error_beside(html: str, field: str, message: str) -> None:
    block = field_block(html, field)
    assert f'id="error_1_id_{field}"' in block, f"no error shown beside {field}"
    assert escape(message) in block, f"{message!r} is not beside {field}"


def field_errors(html: str) -> set[str]:
    """The fields that show an error."""
    return set(re.findall(r'id="error_\d+_id_(\w+)"', html))


def page_text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def section(html: str, heading: str) -> str:
    """The page from a heading to the next heading of any level."""
    start = html.find(f">{heading}</h")
    assert start != -1, f"no heading {heading!r}"
    following = re.search(r"<h[1-6][ >]", html[start + len(heading) + 4 :])
    end = start + len(heading) + 4 + following.start() if following else len(html)
    return html[start:end]
