"""Every date field a person can type into, each as the page it is sent to and the place
its value is kept, so that any date can be tried on every field in the same way."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils import formats, timezone
from django.utils.html import escape

from permissions.dates import earliest_date, latest_date
from permissions.models import Delegation, PermissionRequest, User
from permissions.models.requests import Status
from tests.factories import submitted_request
from tests.views.conftest import browser, field_block, request_form_data

__all__ = ["browser"]

Browser = Callable[[User], Client]
DAY = datetime.timedelta(days=1)


def window_message() -> str:
    """The message beside a date outside the window."""
    return (
        f"Enter a date between {formats.date_format(earliest_date())} "
        f"and {formats.date_format(latest_date())}."
    )


def shows_window_message(html: str) -> bool:
    return escape(window_message()) in html


def day_input(day: datetime.date) -> str:
    """A day as a date input sends it (year 1 as "0001")."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def moment_input(moment: datetime.datetime) -> str:
    """A wall-clock time as a datetime-local input sends it."""
    return f"{day_input(moment.date())}T{moment.hour:02d}:{moment.minute:02d}"


def has_error(html: str, field: str) -> bool:
    return f'id="error_1_id_{field}"' in field_block(html, field)


class Pages:
    """The people who fill in the date fields, each signed in on their own browser, and
    what the last thing they sent left in the database."""

    def __init__(
        self,
        browser: Browser,
        servant: User,
        reporting_officer: User,
        other_officer: User,
        auditor: User,
    ) -> None:
        self.servant = servant
        self.other_officer = other_officer
        self.applicant = browser(servant)
        self.officer = browser(reporting_officer)
        self.auditor = browser(auditor)
        self.deciding: PermissionRequest | None = None
        self._last_request = self._last_delegation = 0

    def _start(self) -> None:
        self._last_request = (
            PermissionRequest.objects.order_by("pk").values_list("pk", flat=True).last() or 0
        )
        self._last_delegation = (
            Delegation.objects.order_by("pk").values_list("pk", flat=True).last() or 0
        )

    def new_request(self, **fields: str) -> HttpResponse:
        self._start()
        return self.applicant.post("/requests/new/", request_form_data(save="", **fields))

    def created_request(self) -> PermissionRequest | None:
        return PermissionRequest.objects.filter(pk__gt=self._last_request).first()

    def approve(self, **fields: str) -> HttpResponse:
        """Approve a freshly submitted request with the validity given."""
        self.deciding = submitted_request(self.servant)
        return self.officer.post(
            f"/requests/{self.deciding.pk}/decide/", {"decision": "approve", **fields}
        )

    def approved(self) -> PermissionRequest | None:
        if self.deciding is None:
            return None
        self.deciding.refresh_from_db()
        return self.deciding if self.deciding.status == Status.APPROVED else None

    def delegate(self, **fields: str) -> HttpResponse:
        self._start()
        data = {"delegate": str(self.other_officer.pk), **fields}
        return self.officer.post("/profile/delegations/", data)

    def created_delegation(self) -> Delegation | None:
        return Delegation.objects.filter(pk__gt=self._last_delegation).first()

    def search_requests(self, **filters: str) -> HttpResponse:
        return self.auditor.get("/audit/requests/", filters)

    def search_log(self, **filters: str) -> HttpResponse:
        return self.auditor.get("/audit/log/", filters)


@pytest.fixture
def pages(
    browser: Browser, servant: User, reporting_officer: User, other_officer: User, auditor: User
) -> Pages:
    return Pages(browser, servant, reporting_officer, other_officer, auditor)


def _today() -> str:
    return day_input(timezone.localdate())


def _latest() -> str:
    return day_input(latest_date())


@dataclass(frozen=True)
class DateField:
    """One date field of one form."""

    form: str
    name: str
    # Sends the form with this field set to the text, the others set to what passes.
    send: Callable[[Pages, str], HttpResponse]
    # What the last send left for the field in the database; None when it left nothing.
    kept: Callable[[Pages], Any] = lambda pages: None
    kind: str = "date"  # or "datetime"
    saves: bool = True
    # Whether every value inside the window is kept as sent; False where another rule
    # (an approval must not end in the past, ...) may still refuse it beside the field.
    window_is_the_only_rule: bool = True

    def __str__(self) -> str:
        return f"{self.form}.{self.name}"


def _request_field(name: str, **others: str) -> DateField:
    return DateField(
        "request",
        name,
        send=lambda pages, text: pages.new_request(**{**others, name: text}),
        kept=lambda pages: getattr(pages.created_request(), name, None),
        kind="datetime" if name == "event_at" else "date",
    )


def _filter(form: str, name: str) -> DateField:
    search = "search_requests" if form == "console-requests" else "search_log"
    return DateField(
        form,
        name,
        send=lambda pages, text: getattr(pages, search)(**{name: text}),
        saves=False,
    )


FIELDS = [
    _request_field("event_at"),
    _request_field("period_start", timing="period", event_at="", period_end=""),
    _request_field("period_end", timing="period", event_at="", period_start=""),
    DateField(
        "decision",
        "valid_from",
        send=lambda pages, text: pages.approve(valid_from=text, valid_until=_latest()),
        kept=lambda pages: getattr(pages.approved(), "valid_from", None),
        window_is_the_only_rule=False,
    ),
    DateField(
        "decision",
        "valid_until",
        send=lambda pages, text: pages.approve(valid_from=_today(), valid_until=text),
        kept=lambda pages: getattr(pages.approved(), "valid_until", None),
        window_is_the_only_rule=False,
    ),
    # A delegation may have begun in the past; it must not have ended.
    DateField(
        "delegation",
        "starts_on",
        send=lambda pages, text: pages.delegate(starts_on=text, ends_on=_latest()),
        kept=lambda pages: getattr(pages.created_delegation(), "starts_on", None),
    ),
    DateField(
        "delegation",
        "ends_on",
        send=lambda pages, text: pages.delegate(starts_on=_today(), ends_on=text),
        kept=lambda pages: getattr(pages.created_delegation(), "ends_on", None),
        window_is_the_only_rule=False,
    ),
    *(
        _filter("console-requests", name)
        for name in (
            "submitted_from",
            "submitted_to",
            "decided_from",
            "decided_to",
            "valid_from",
            "valid_to",
        )
    ),
    _filter("console-log", "start"),
    _filter("console-log", "end"),
]
