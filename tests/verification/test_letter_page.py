"""The page a letter's QR code opens: anyone may read it, without signing in, and it
says whether the permission stands today and what the letter should say, and nothing
else of the request."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from permissions import schedules, workflow
from permissions.models import User
from permissions.verification.tokens import token_for, verification_url
from tests.helpers import (
    at,
    clock,
    days,
    fresh,
    page_queries,
    returned_and_resubmitted,
    today,
)

from .conftest import FILE_NAME, OUTLET, SUMMARY, TOPIC, Letter, approve_with_file

pytestmark = pytest.mark.django_db

Visitor = Callable[..., Client]


def standing_of(response: Any) -> str:
    """The standing in words, as the page's panel states it."""
    page = response.content.decode()
    panel = page.split('id="standing"', 1)[1]
    return panel.split('<p class="display-5 fw-bold mb-2">', 1)[1].split("</p>", 1)[0].strip()


def test_a_fresh_approval_is_valid_and_shows_what_the_letter_says(
    letter: Letter, visitor: Visitor, servant: User
) -> None:
    request = letter.refreshed()

    response = visitor().get(letter.url)

    assert response.status_code == 200
    assert standing_of(response) == "Valid"
    page = response.content.decode()
    assert 'class="alert alert-success' in page
    for shown in (
        servant.get_full_name(),
        request.applicant_designation,
        request.platform.name,
        OUTLET,
        request.reference,
    ):
        assert escape(shown) in page
    valid_from = request.valid_from.strftime("%-d %b %Y")  # type: ignore[union-attr]
    valid_until = request.valid_until.strftime("%-d %b %Y")  # type: ignore[union-attr]
    assert f"from {valid_from} until {valid_until}" in page


def test_the_page_never_shows_the_topic_the_summary_the_files_or_another_request(
    letter: Letter, visitor: Visitor, servant: User, reporting_officer: User
) -> None:
    other = approve_with_file(
        servant, reporting_officer, topic="Census radio interview", outlet="FM 101, Newsline"
    )
    token_for(other)

    page = visitor().get(letter.url).content.decode()

    for hidden in (TOPIC, SUMMARY, FILE_NAME, "Census radio interview", "FM 101", other.reference):
        assert escape(hidden) not in page
    assert "/requests/" not in page


def test_revoked_right_after_the_revocation(
    letter: Letter, visitor: Visitor, reporting_officer: User
) -> None:
    browser = visitor()
    assert standing_of(browser.get(letter.url)) == "Valid"

    workflow.revoke(letter.request.pk, by=reporting_officer, reason="The programme changed.")
    response = browser.get(letter.url)

    assert standing_of(response) == "Revoked"
    assert 'class="alert alert-danger' in response.content.decode()


def test_expired_the_day_after_valid_until_before_and_after_the_expiry_job(
    servant: User, reporting_officer: User, auditor: User, visitor: Visitor
) -> None:
    request = approve_with_file(servant, reporting_officer, until_days=3)
    url = reverse("verify-letter", args=[token_for(request).token])
    last_day = request.valid_until
    assert last_day is not None

    with clock(at(last_day, 23, 59)):
        assert standing_of(visitor().get(url)) == "Valid"
    with clock(at(last_day + days(1), 0, 1)):
        # The hourly job has not run yet: the page says so at once all the same.
        assert standing_of(visitor().get(url)) == "Expired"
        schedules.expire_approvals()
        assert fresh(request).status == "expired"
        response = visitor().get(url)
    assert standing_of(response) == "Expired"
    assert f"ended on {last_day.strftime('%-d %b %Y')}" in response.content.decode()


def test_a_random_token_is_not_found(letter: Letter, visitor: Visitor) -> None:
    response = visitor().get(reverse("verify-letter", args=[secrets.token_urlsafe(24)]))

    assert response.status_code == 404
    page = response.content.decode()
    assert "Letter not found" in page
    assert "does not belong to any permission letter the Conduct Portal issued" in page
    assert "the Establishment Division" in page
    assert reverse("verify-code") in page
    assert letter.request.reference not in page


def test_a_token_is_matched_whole(letter: Letter, visitor: Visitor) -> None:
    token = letter.token.token
    for near in (token[:-1], token.upper() if token.upper() != token else token.lower()):
        assert visitor().get(reverse("verify-letter", args=[near])).status_code == 404


@pytest.mark.parametrize("who", ["servant", "outsider", "reporting_officer", "auditor"])
def test_signed_in_people_see_the_same_page(
    who: str, letter: Letter, browser: Callable[[User], Client], request: pytest.FixtureRequest
) -> None:
    response = browser(request.getfixturevalue(who)).get(letter.url)

    assert response.status_code == 200
    assert standing_of(response) == "Valid"


def test_the_page_takes_a_few_queries_however_many_files_and_events(
    letter: Letter,
    visitor: Visitor,
    servant: User,
    reporting_officer: User,
    django_assert_max_num_queries: Any,
) -> None:
    small = page_queries(visitor(), letter.url, 6, django_assert_max_num_queries)
    # A request with a longer history: returned and resubmitted three times, more files.
    busy = returned_and_resubmitted(servant, reporting_officer, returns=3, files=3)
    workflow.approve(busy.pk, by=reporting_officer)
    busy_url = reverse("verify-letter", args=[token_for(fresh(busy)).token])
    assert page_queries(visitor(), busy_url, small, django_assert_max_num_queries) == small


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_only_reading_is_allowed(method: str, letter: Letter, visitor: Visitor) -> None:
    response = getattr(visitor(), method)(letter.url)

    assert response.status_code == 405
    assert standing_of(visitor().get(letter.url)) == "Valid"


def test_the_check_date_is_today_in_pakistan(letter: Letter, visitor: Visitor) -> None:
    with clock(at(today(), 10, 30)):
        page = visitor().get(letter.url).content.decode()
    assert f"Checked on {today().strftime('%-d %b %Y')}, 10:30" in page


def test_the_url_is_the_portals_public_page_for_the_token(
    settings, servant: User, reporting_officer: User
) -> None:  # type: ignore[no-untyped-def]
    settings.PORTAL_URL = "https://conduct.establishment.gov.pk"
    token = token_for(approve_with_file(servant, reporting_officer))

    assert verification_url(token) == f"https://conduct.establishment.gov.pk/check/{token.token}/"
