"""The warning before a session ends, in Chromium: it keeps a half-typed form, and a page
with nothing typed goes to sign in when the time is up. The page's clock is Playwright's,
moved on by hand; the server's is moved with time_machine where it must agree."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from permissions.models import AuditEvent, User
from permissions.states import Action
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_staying_signed_in_keeps_what_was_typed(new_page: Any, servant: User) -> None:
    page = new_page(servant.username, PASSWORD)
    page.clock.install()
    page.goto("/requests/new/")
    topic = page.get_by_label("Topic")
    topic.fill("Flood relief briefing")

    page.clock.run_for("27:50")
    warning = page.get_by_role("alertdialog")
    expect(warning).to_be_hidden()
    page.clock.run_for("00:15")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(
        "You will be signed out in 2 minutes because you have not used the portal."
    )
    stay = warning.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()

    with page.expect_response("**/session/keep-alive/") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 204
    expect(warning).to_be_hidden()
    expect(topic).to_be_focused()
    expect(topic).to_have_value("Flood relief briefing")

    # Thirty minutes on from "Stay signed in" without it: the page stays, and says why.
    page.clock.run_for("30:05")
    notice = page.get_by_role("alert").filter(has_text="You have been signed out")
    expect(notice).to_be_visible()
    expect(notice).to_be_focused()
    expect(notice).to_contain_text("Copy what you typed somewhere safe")
    expect(notice.get_by_role("link", name="Sign in again in a new tab")).to_have_attribute(
        "href", "/login/?next=%2Frequests%2Fnew%2F"
    )
    assert page.url.endswith("/requests/new/")
    expect(topic).to_have_value("Flood relief briefing")


def test_an_untouched_page_goes_to_sign_in_when_the_time_is_up(
    new_page: Any, servant: User
) -> None:
    page = new_page(servant.username, PASSWORD)
    page.clock.install()
    page.goto("/requests/?status=draft")

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31), tick=True):
        page.clock.run_for("30:05")
        page.wait_for_url(lambda url: "/login/" in url)
        expect(
            page.get_by_text(
                "You were signed out because you had not used the portal for 30 minutes."
            )
        ).to_be_visible()

    assert page.url.endswith("/login/?next=/requests/%3Fstatus%3Ddraft")
    [event] = AuditEvent.objects.filter(action=Action.SESSION_TIMED_OUT)
    assert event.actor == servant
    assert event.data == {"reason": "idle"}


def test_the_end_of_a_sessions_lifetime_is_warned_of_without_an_offer_to_stay(
    new_page: Any, servant: User, settings: Any
) -> None:
    settings.SESSION_IDLE_MINUTES = 60
    settings.SESSION_MAX_HOURS = 1
    page = new_page(servant.username, PASSWORD)
    page.clock.install()
    page.goto("/requests/")

    page.clock.run_for("58:05")
    warning = page.get_by_role("alertdialog")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("you have been signed in for 1 hour, the longest")
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_hidden()
    warning.get_by_role("button", name="I understand").press("Enter")
    expect(warning).to_be_hidden()
