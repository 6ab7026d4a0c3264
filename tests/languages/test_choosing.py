"""The language people read the portal in: the browser's first, then the one chosen in
the header (a cookie for anyone, the profile for people signed in), and mail in the
recipient's own."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client

from permissions.models import Notification, User
from tests.factories import submitted_request

pytestmark = pytest.mark.django_db


def _html_tag(client: Client, url: str, **headers: str) -> str:
    body = client.get(url, headers=headers).content.decode()
    start = body.index("<html")
    return body[start : body.index(">", start) + 1]


def test_a_visitor_reads_the_language_their_browser_asks_for_first() -> None:
    assert _html_tag(Client(), "/login/") == '<html lang="en" dir="ltr">'
    urdu = _html_tag(Client(), "/login/", accept_language="ur-PK,ur;q=0.9,en;q=0.5")
    assert urdu == '<html lang="ur" dir="rtl">'
    page = Client().get("/login/", headers={"accept-language": "ur"}).content.decode()
    assert "سائن اِن کریں" in page
    # The header offers the other language, named in its own words.
    assert 'lang="en" dir="ltr">English</button>' in page


def test_the_header_switch_sets_a_cookie_and_goes_back_to_the_same_page() -> None:
    visitor = Client()
    response = visitor.post(
        "/language/", {"language": "ur"}, headers={"referer": "http://testserver/check/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "http://testserver/check/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "ur"
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 365 * 24 * 60 * 60
    # The cookie outweighs the browser's own wish.
    assert _html_tag(visitor, "/check/", accept_language="en") == '<html lang="ur" dir="rtl">'


@pytest.mark.parametrize(
    ("data", "referer"),
    [
        ({"language": "ur"}, "https://elsewhere.example/phish"),
        ({"language": "ur"}, ""),
        ({"language": "fr"}, "http://testserver/help/"),
    ],
)
def test_a_foreign_page_or_an_unknown_language_goes_home_or_changes_nothing(
    data: dict[str, str], referer: str
) -> None:
    headers = {"referer": referer} if referer else {}
    response = Client().post("/language/", data, headers=headers)
    assert response.status_code == 302
    if data["language"] == "fr":
        assert response["Location"] == "http://testserver/help/"
        assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    else:
        assert response["Location"] == "/"


def test_a_person_signed_in_keeps_their_choice_on_any_browser(
    servant: User, browser: Callable[[User], Client]
) -> None:
    first = browser(servant)
    first.post("/language/", {"language": "ur"})
    servant.refresh_from_db()
    assert servant.language == "ur"

    elsewhere = browser(servant)  # no cookie, a browser that asks for English
    assert _html_tag(elsewhere, "/requests/", accept_language="en") == (
        '<html lang="ur" dir="rtl">'
    )
    elsewhere.post("/language/", {"language": "en"})
    servant.refresh_from_db()
    assert servant.language == "en"


def test_mail_is_written_in_each_recipients_language(
    servant: User, reporting_officer: User
) -> None:
    User.objects.filter(pk=reporting_officer.pk).update(language="ur")
    request = submitted_request(servant)

    receipt = Notification.objects.get(recipient=servant, kind="receipt")
    assert receipt.subject == f"{request.reference} has been submitted"
    to_officer = Notification.objects.get(recipient=reporting_officer, kind="submitted")
    assert request.reference in to_officer.subject
    assert "فیصلہ" in to_officer.subject or "درخواست" in to_officer.subject
    assert 'lang="ur" dir="rtl"' in to_officer.body_html
    assert "کنڈکٹ پورٹل" in to_officer.body_html
    assert 'lang="en" dir="ltr"' in receipt.body_html
