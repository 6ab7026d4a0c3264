"""The form for the code printed on a letter: read in any case, with or without dashes;
a code that cannot be one, or that no letter has, is shown again with the error next to
it and in the summary above."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from .conftest import Letter
from .test_letter_page import standing_of

pytestmark = pytest.mark.django_db

Visitor = Callable[..., Client]
FORM = "/check/"


def test_the_form_is_at_check_and_needs_no_session_or_token(visitor: Visitor) -> None:
    assert reverse("verify-code") == FORM
    response = Client(enforce_csrf_checks=True).get(FORM)

    assert response.status_code == 200
    page = response.content.decode()
    assert '<form method="get" action="/check/"' in page
    assert 'name="code"' in page
    assert "csrfmiddlewaretoken" not in page
    assert settings.CSRF_COOKIE_NAME not in response.cookies
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert "There is a problem" not in page


@pytest.mark.parametrize(
    "as_typed",
    [
        lambda code: code,
        lambda code: code.lower(),
        lambda code: code.replace("-", ""),
        lambda code: code.replace("-", " "),
        lambda code: f"  {code.lower().replace('-', ' - ')} ",
    ],
)
def test_the_right_code_shows_the_letters_standing(
    as_typed: Callable[[str], str], letter: Letter, visitor: Visitor
) -> None:
    response = visitor().get(FORM, {"code": as_typed(letter.token.printed_code)})

    assert response.status_code == 200
    assert standing_of(response) == "Valid"
    assert letter.request.reference in response.content.decode()


def test_a_code_with_o_for_zero_and_l_for_one_is_read_as_printed(
    letter: Letter, visitor: Visitor
) -> None:
    letter.token.short_code = "0123ABCD1100"
    letter.token.save(update_fields=["short_code"])

    response = visitor().get(FORM, {"code": "oi23-abcd-lIOO"})

    assert standing_of(response) == "Valid"


def assert_error_at_the_field(response: object, message: str) -> str:
    page = response.content.decode()  # type: ignore[attr-defined]
    assert "There is a problem" in page
    assert f'<a class="alert-link" href="#id_code">{message}</a>' in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_code_helptext id_code_error"' in page
    assert "<title>Error: Check a permission letter" in page
    return str(page)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the code printed on the letter."),
        ("ABCD-EFGH", "Enter the code as printed on the letter: 12 letters and numbers."),
        ("ABCD-EFGH-JKMU", "Enter the code as printed on the letter: 12 letters and numbers."),
        ("x" * 41, "Enter the code as printed on the letter: 12 letters and numbers."),
    ],
)
def test_what_cannot_be_a_code_is_shown_again_with_the_error(
    typed: str, message: str, letter: Letter, visitor: Visitor
) -> None:
    response = visitor().get(FORM, {"code": typed})

    assert response.status_code == 200
    page = assert_error_at_the_field(response, message)
    assert f'value="{typed}"' in page or typed == ""
    assert 'id="standing"' not in page


def test_a_code_no_letter_has_is_not_found(letter: Letter, visitor: Visitor) -> None:
    unknown = "ZZZZ-ZZZZ-ZZZZ" if letter.token.short_code != "ZZZZZZZZZZZZ" else "YYYY-YYYY-YYYY"

    response = visitor().get(FORM, {"code": unknown})

    assert response.status_code == 404
    page = assert_error_at_the_field(
        response,
        "No permission letter issued by the portal has this code. Check it against the "
        "letter and enter it again.",
    )
    assert "the Conduct Portal did not issue that letter" in " ".join(page.split())
    assert letter.request.reference not in page


def test_the_form_cannot_be_posted(letter: Letter, visitor: Visitor) -> None:
    response = visitor().post(FORM, {"code": letter.token.printed_code})

    assert response.status_code == 405
    assert letter.request.reference not in response.content.decode()
