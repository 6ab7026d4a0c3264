"""Setting up the second factor in Chromium, reading the key off the page as a phone app
would, and signing in with it afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect

from permissions.models import AuditEvent, User
from permissions.states import Action
from tests.browser.conftest import watch_policies
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def fresh_browser(browser: Any, live_server: Any, policy_violations: list[str]) -> Iterator[Any]:
    """A page on a browser nobody has signed in on, watched for policy violations."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    watch_policies(context, policy_violations)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert policy_violations == [], "\n".join(policy_violations)


def sign_in_with_password(page: Any, username: str) -> None:
    page.goto("/inbox/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_officer_sets_up_the_app_and_signs_in_with_it(
    fresh_browser: Any, servant: User, reporting_officer: User
) -> None:
    page = fresh_browser
    sign_in_with_password(page, reporting_officer.username)
    page.wait_for_url("**/second-factor/set-up/**")
    expect(page.get_by_role("heading", name="Set up your second factor")).to_be_visible()
    qr = page.get_by_role("img", name="QR code to scan with the authenticator app")
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")

    # "I cannot scan the code": the key to type into the app by hand.
    page.get_by_text("I cannot scan the code").click()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    app = pyotp.TOTP(secret)
    page.get_by_label("Code from the app").fill(app.now())
    page.get_by_role("button", name="Turn on the second factor").click()

    page.wait_for_url("**/second-factor/backup-codes/**")
    codes = page.locator("#backup-codes li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept my codes, continue").click()
    page.wait_for_url("**/inbox/")
    assert AuditEvent.objects.filter(action=Action.SECOND_FACTOR_ENROLLED).count() == 1

    # Next time, without the phone: the password, then one of the backup codes.
    page.get_by_role("button", name=reporting_officer.get_full_name()).click()
    page.get_by_role("button", name="Sign out").click()
    sign_in_with_password(page, reporting_officer.username)
    page.wait_for_url("**/second-factor/code/**")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/inbox/")
    assert AuditEvent.objects.filter(action=Action.SECOND_FACTOR_BACKUP_USED).count() == 1
