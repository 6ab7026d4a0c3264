"""The frame around every page: the skip link, the Establishment Division's name in the
header and the footer, the footer's help links, the counts in the navigation read out in
agreement with their number, and the sign-in page's notice for someone sent to it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from permissions.models import Notification, Organisation, User
from tests.factories import UserFactory, submitted_request

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Client]

DIVISION = "Establishment Division, Government of Pakistan"


def spoken(html: str, start: str) -> str:
    """What a screen reader says for the navigation link that begins with `start`: its
    text without what is hidden from it (aria-hidden), tags dropped, spaces squeezed."""
    header = html[html.index("<header") : html.index("</header>")]
    link = re.search(rf">{re.escape(start)}.*?</a>", header, re.S)
    assert link, f"no link {start!r}"
    text = re.sub(r'<span[^>]*aria-hidden="true"[^>]*>.*?</span>', "", link.group(0), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", text).split()).removeprefix(">")


def test_the_skip_link_comes_first_and_leads_to_main() -> None:
    html = Client().get("/login/").content.decode()
    body = html[html.index("<body") :]
    first_link = re.search(r"<(a|button|input|select|textarea)\b[^>]*>", body)
    assert first_link and 'href="#main"' in first_link.group(0)
    assert "skip-link" in first_link.group(0)
    assert '<main id="main"' in html


def test_the_pages_stylesheet_follows_the_portals() -> None:
    html = Client().get("/login/").content.decode()
    portal = html.index("css/portal.css")
    pages = html.index("css/pages.css")
    # Next to each other: pages.css refines what portal.css sets.
    assert portal < pages
    assert html[portal:pages].count("<link") == 1


def test_header_and_footer_name_the_establishment_division(login: SignIn, servant: User) -> None:
    for html in (
        Client().get("/login/").content.decode(),
        login(servant).get("/requests/").content.decode(),
    ):
        header = html[html.index("<header") : html.index("</header>")]
        footer = html[html.index("<footer") : html.index("</footer>")]
        assert DIVISION in header
        assert DIVISION in footer
        assert 'href="/help/"' in footer
        assert 'href="/help/contact/"' in footer


def test_the_frame_has_no_inline_style(
    login: SignIn, reporting_officer: User, servant: User
) -> None:
    submitted_request(servant)
    html = login(reporting_officer).get("/inbox/").content.decode()
    assert " style=" not in html
    assert "<style" not in html


def test_one_request_awaiting_is_read_as_one(
    login: SignIn, reporting_officer: User, servant: User
) -> None:
    submitted_request(servant)
    html = login(reporting_officer).get("/inbox/").content.decode()
    assert spoken(html, "Awaiting me") == "Awaiting me (1 request awaiting you)"
    assert '<span class="badge text-bg-warning" aria-hidden="true">1</span>' in html


def test_two_requests_awaiting_are_read_as_two(
    login: SignIn, reporting_officer: User, servant: User, division: Organisation
) -> None:
    submitted_request(servant)
    colleague = UserFactory(organisation=division, reporting_officer=reporting_officer)
    submitted_request(colleague)
    html = login(reporting_officer).get("/inbox/").content.decode()
    assert spoken(html, "Awaiting me") == "Awaiting me (2 requests awaiting you)"


def test_unread_notifications_are_counted_in_agreement(
    login: SignIn, reporting_officer: User, servant: User
) -> None:
    submitted_request(servant)
    client = login(reporting_officer)
    assert Notification.objects.filter(recipient=reporting_officer, read_at=None).count() == 1
    html = client.get("/inbox/").content.decode()
    assert spoken(html, "Notifications") == "Notifications (1 unread notification)"

    submitted_request(servant, topic="Second talk")
    html = client.get("/inbox/").content.decode()
    assert spoken(html, "Notifications") == "Notifications (2 unread notifications)"


def test_nothing_is_counted_when_nothing_waits(
    login: SignIn, reporting_officer: User, servant: User
) -> None:
    html = login(reporting_officer).get("/inbox/").content.decode()
    assert spoken(html, "Awaiting me") == "Awaiting me"
    assert spoken(html, "Notifications") == "Notifications"


def test_someone_sent_to_sign_in_is_told_why() -> None:
    response = Client().get("/requests/", follow=True)
    assert response.redirect_chain[-1][0] == "/login/?next=/requests/"
    html = response.content.decode()
    assert "Sign in to continue" in html
    assert 'role="region"' in html
    # Before the form's heading, as GOV.UK places a notification banner.
    assert html.index("Sign in to continue") < html.index("<h1")


def test_a_plain_visit_to_sign_in_has_no_such_notice() -> None:
    html = Client().get("/login/").content.decode()
    assert "Sign in to continue" not in html
    # An address elsewhere is no page of the portal to continue to.
    html = Client().get("/login/?next=https://elsewhere.example/").content.decode()
    assert "Sign in to continue" not in html
