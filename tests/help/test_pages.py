"""The help pages: the general page and the contact page for anyone, the guides for
everyone signed in with their own first, and every figure and contact read from settings."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client, override_settings

from permissions.models import ConductRule, User
from tests.settings.test_environment import run_settings

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Client]


def guide_titles(html: str) -> list[str]:
    """The guides in the order the overview lists them, each with its tag if it has one."""
    found = re.findall(r'<h3 class="h5 mb-1">\s*<a href="([^"]+)">[^<]*</a>\s*(<strong)?', html)
    return [href + (" (yours)" if tag else "") for href, tag in found]


def test_anyone_can_read_the_general_help_and_whom_to_ask() -> None:
    client = Client()
    overview = client.get("/help/")
    assert overview.status_code == 200
    html = overview.content.decode()
    assert "Help with the Conduct Portal" in html
    assert "Sign in with your portal account to read the guides." in html
    # Nobody's role is known, so none is marked and the guides come in their own order.
    assert guide_titles(html) == ["/help/servants/", "/help/officers/", "/help/auditors/"]
    assert client.get("/help/contact/").status_code == 200


def test_the_guides_ask_an_anonymous_visitor_to_sign_in_first() -> None:
    response = Client().get("/help/officers/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/help/officers/"


def test_a_servant_sees_their_own_guide_marked(login: SignIn, servant: User) -> None:
    html = login(servant).get("/help/").content.decode()
    assert guide_titles(html) == [
        "/help/servants/ (yours)",
        "/help/officers/",
        "/help/auditors/",
    ]


def test_an_auditor_finds_their_guide_before_the_others(login: SignIn, auditor: User) -> None:
    html = login(auditor).get("/help/").content.decode()
    # The auditor has a grade, so may ask for permission too; they decide for nobody.
    assert guide_titles(html) == [
        "/help/servants/ (yours)",
        "/help/auditors/ (yours)",
        "/help/officers/",
    ]


def test_an_officer_reads_every_guide_with_theirs_first(
    login: SignIn, reporting_officer: User, servant: User
) -> None:
    client = login(reporting_officer)
    assert guide_titles(client.get("/help/").content.decode())[:2] == [
        "/help/servants/ (yours)",
        "/help/officers/ (yours)",
    ]
    for url in ("/help/servants/", "/help/officers/", "/help/auditors/"):
        assert client.get(url).status_code == 200


def test_the_servants_guide_shows_the_rules_as_the_division_keeps_them(
    login: SignIn, servant: User, reference_data: None
) -> None:
    ConductRule.objects.filter(number="25-A").update(summary="Amended wording of Rule 25-A.")
    ConductRule.objects.filter(number="24").update(is_active=False)
    html = login(servant).get("/help/servants/").content.decode()
    for number in ("18", "21", "22", "25", "25-A", "25-B"):
        assert f"Rule {number}:" in html
    assert "Amended wording of Rule 25-A." in html
    assert "Rule 24:" not in html


@override_settings(
    PENDING_REMINDER_WORKING_DAYS=1,
    INBOX_OVERDUE_DAYS=4,
    ESCALATE_AFTER_DAYS=9,
    APPROVAL_MAX_DAYS=180,
    EXPIRY_REMINDER_DAYS=[30, 5],
)
def test_the_servants_guide_quotes_the_timings_the_portal_keeps(
    login: SignIn, servant: User
) -> None:
    html = " ".join(login(servant).get("/help/servants/").content.decode().split())
    assert "An officer who has not decided after 1 working day is reminded" in html
    assert "After 4 days the request is marked overdue" in html
    assert "After 9 days it passes to that officer's own officer" in html
    assert "never longer than 180 days" in html
    assert "when this many days are left: 30, 5." in html


@override_settings(SECOND_FACTOR_REMEMBER_HOURS=0)
def test_the_officers_guide_offers_no_remembered_browser_when_there_is_none(
    login: SignIn, reporting_officer: User
) -> None:
    html = login(reporting_officer).get("/help/officers/").content.decode()
    assert "The second factor" in html
    assert "remember it for" not in html
    # The conditions an officer may set, as the decision form lists them.
    assert "The views expressed are personal and must be stated to be so." in html


@override_settings(
    PORTAL_CONTACT_OFFICE="Media cell, Establishment Division",
    PORTAL_CONTACT_EMAIL="media-cell@example.gov.pk",
    PORTAL_CONTACT_PHONE="+92 51 910 3000",
    PORTAL_HELP_DESK_HOURS="Monday to Friday, 9:00 to 17:00",
)
def test_the_contact_page_gives_the_help_desk_from_settings() -> None:
    html = Client().get("/help/contact/").content.decode()
    assert "Media cell, Establishment Division" in html
    assert '<a href="mailto:media-cell@example.gov.pk">media-cell@example.gov.pk</a>' in html
    assert '<a href="tel:+92519103000">+92 51 910 3000</a>' in html
    assert "Monday to Friday, 9:00 to 17:00" in html


@override_settings(
    PORTAL_CONTACT_OFFICE="",
    PORTAL_CONTACT_EMAIL="",
    PORTAL_CONTACT_PHONE="",
    PORTAL_HELP_DESK_HOURS="",
)
def test_without_a_help_desk_the_pages_send_people_to_their_officer() -> None:
    html = " ".join(Client().get("/help/contact/").content.decode().split())
    assert "Ask your reporting officer first." in html
    assert "put you in touch with the Establishment Division." in html
    assert "mailto:" not in html
    assert "tel:" not in html


@pytest.mark.parametrize(
    ("variable", "value"),
    [("PORTAL_CONTACT_EMAIL", "the media cell"), ("PORTAL_CONTACT_PHONE", "call the office")],
)
def test_a_bad_contact_stops_start_up_naming_its_variable(
    tmp_path: Path, variable: str, value: str
) -> None:
    result = run_settings(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]
