"""Dates read the same everywhere, and through the language's named formats
(conduct_portal/formats/), never through a format spelt out in a template: a language
added later writes every date of the portal its own way from one file."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.template import Context, Template
from django.utils import formats

from permissions import audit, emails
from permissions.models import Delegation, User
from permissions.states import Action
from tests.factories import UserFactory, submitted_request

from .conftest import signed_in, visible_text

KARACHI = ZoneInfo("Asia/Karachi")
MOMENT = datetime.datetime(2026, 3, 5, 9, 3, 7, tzinfo=KARACHI)
# The formats a template may name: Django's names, and ISO 8601 for machines ("c").
NAMED = {"DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT", "c"}


def render(text: str, **context: object) -> str:
    return Template("{% load portal %}" + text).render(Context(context))


def test_english_dates_read_day_month_year_and_times_on_the_24_hour_clock() -> None:
    day = MOMENT.date()
    assert render("{{ day|date }}", day=day) == "5 Mar 2026"
    assert render('{{ moment|date:"DATETIME_FORMAT" }}', moment=MOMENT) == "5 Mar 2026, 09:03"
    assert render("{{ moment|to_the_second }}", moment=MOMENT) == "5 Mar 2026, 09:03:07"
    # A short format never falls back to Django's American month/day/year.
    assert render('{{ day|date:"SHORT_DATE_FORMAT" }}', day=day) == "5 Mar 2026"
    assert formats.date_format(day) == "5 Mar 2026"


@pytest.mark.django_db
def test_an_event_of_the_audit_log_shows_its_time_to_the_second(auditor: User) -> None:
    with time_machine.travel(MOMENT, tick=False):
        audit.record(Action.LOGIN, actor=auditor)
    html = signed_in(auditor).get("/audit/log/", {"action": "login"}).content.decode()
    assert "5 Mar 2026, 09:03:07" in visible_text(html)


@pytest.mark.django_db
def test_mails_write_dates_as_the_pages_do(servant: User, reporting_officer: User) -> None:
    request = submitted_request(servant)
    delegation = Delegation.objects.create(
        delegator=reporting_officer,
        delegate=UserFactory(username="acting"),
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 3, 14),
    )
    context = {"recipient": reporting_officer, "permission_request": request, "link": ""}

    reminder = emails.render("pending_reminder", {**context, "waiting_since": MOMENT})
    assert "since 5 Mar 2026." in reminder.text
    started = emails.render("delegation_started", {**context, "delegation": delegation})
    assert "from 1 Mar 2026 to 14 Mar 2026." in started.text


def test_no_template_spells_out_a_date_format() -> None:
    spelt = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.*"):
        for name in re.findall(r"\|(?:date|time):[\"']([^\"']*)[\"']", template.read_text()):
            if name not in NAMED:
                spelt.append(f"{template.name}: {name}")
    assert spelt == []
