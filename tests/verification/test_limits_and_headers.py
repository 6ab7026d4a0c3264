"""What keeps the public check from being walked or kept: 30 looks a minute from one
address across both pages (RATELIMIT_VERIFY), then 429 with Retry-After; and no answer
stored, indexed or passed on as a Referer."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.helpers import at, clock, today

from .conftest import ELSEWHERE, HOME, Letter

pytestmark = pytest.mark.django_db

Visitor = Callable[..., Client]


def assert_private(response: Any) -> None:
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "no-cache", "private", "max-age=0"} <= cache_control
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_31st_look_in_a_minute_from_one_address_is_refused(
    letter: Letter, visitor: Visitor
) -> None:
    with clock(at(today(), 10, 0)):
        browser = visitor(HOME)
        answers = [browser.get(letter.url).status_code for _ in range(30)]
        refused = browser.get(letter.url)
        other_address = visitor(ELSEWHERE).get(letter.url)

    assert answers == [200] * 30
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 61
    assert "Too many attempts" in refused.content.decode()
    assert letter.request.reference not in refused.content.decode()
    assert_private(refused)
    assert other_address.status_code == 200


def test_the_code_form_and_the_letter_page_share_one_count_of_every_method(
    letter: Letter, visitor: Visitor
) -> None:
    browser = visitor(HOME)
    with clock(at(today(), 10, 0)):
        for n in range(30):
            if n % 3 == 0:
                browser.get(reverse("verify-code"))
            elif n % 3 == 1:
                browser.get(reverse("verify-code"), {"code": "ABCD-EFGH-JKMN"})
            else:
                # Refused by method, and counted all the same.
                browser.post(letter.url)
        assert browser.get(letter.url).status_code == 429
        assert browser.get(reverse("verify-code")).status_code == 429
        assert visitor(ELSEWHERE).get(reverse("verify-code")).status_code == 200


def test_the_count_starts_again_a_minute_later(letter: Letter, visitor: Visitor) -> None:
    with clock(at(today(), 10, 0)):
        for _ in range(31):
            last = visitor().get(letter.url)
        assert last.status_code == 429
        wait = int(last["Retry-After"])
    with clock(at(today(), 10, 0) + datetime.timedelta(seconds=wait)):
        assert visitor().get(letter.url).status_code == 200


def test_a_changed_rate_applies_at_once(settings, letter: Letter, visitor: Visitor) -> None:  # type: ignore[no-untyped-def]
    settings.RATELIMIT_VERIFY = "2/m"
    with clock(at(today(), 10, 0)):
        assert [visitor().get(letter.url).status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.parametrize(
    "url",
    [
        lambda letter: letter.url,
        lambda letter: reverse("verify-letter", args=["no-such-token"]),
        lambda letter: reverse("verify-code"),
        lambda letter: reverse("verify-code") + "?code=ABCD",
        lambda letter: reverse("verify-code") + "?code=" + letter.token.short_code,
        lambda letter: reverse("verify-code") + "?code=ZZZZ-ZZZZ-ZZZY",
    ],
)
def test_no_answer_is_stored_indexed_or_referred_on(
    url: Callable[[Letter], str], letter: Letter, visitor: Visitor
) -> None:
    response = visitor().get(url(letter))

    assert response.status_code in (200, 404)
    assert_private(response)


def test_a_method_the_public_pages_refuse_is_the_portals_405_and_still_private(
    letter: Letter, visitor: Visitor
) -> None:
    response = visitor().post(letter.url)
    assert response.status_code == 405
    assert "GET" in response["Allow"]
    assert "<html" in response.content.decode().lower()
    assert letter.request.reference not in response.content.decode()
    assert_private(response)
