"""Headless Chromium (Debian's package) driven by Playwright against a live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import fresh_backup_code, give_app_if_needed, need_service

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Flags for a closed network: no background fetches that would only fail here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        need_service("Chromium", f"no browser at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need_service("Playwright", "the playwright package is not installed")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # are still synchronous, so Django's async guard would refuse them.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield launched
            launched.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# Chromium writes every breach of a page's Content-Security-Policy, and every fault in
# its Permissions-Policy header, to the console in words that include one of these.
POLICY_CONSOLE_WORDS = ("Content Security Policy", "Permissions-Policy")

# Also listen for the page's own violation events (a console message could be worded
# differently one day). Scripts Playwright adds are not subject to the page's policy.
WATCH_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", async (event) => {
  await window.recordPolicyViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} on ${event.documentURI}`
  );
  window.policyViolationsRecorded = (window.policyViolationsRecorded || 0) + 1;
});
"""


@pytest.fixture
def policy_violations() -> list[str]:
    """What the browser blocked or refused under the portal's policies, in the order seen,
    across every page the test opened."""
    return []


def watch_policies(context: Any, violations: list[str]) -> None:
    def on_console(message: Any) -> None:
        if any(words in message.text for words in POLICY_CONSOLE_WORDS):
            violations.append(f"console: {message.text}")

    context.on("console", on_console)
    context.expose_function(
        "recordPolicyViolation", lambda text: violations.append(f"event: {text}")
    )
    context.add_init_script(WATCH_VIOLATIONS)


@pytest.fixture
def new_page(browser: Any, live_server: Any, policy_violations: list[str]) -> Iterator[Any]:
    """Sign a person in and give back their page. Whatever the test did, no page it
    opened may have broken the Content-Security-Policy or the Permissions-Policy."""
    contexts: list[Any] = []

    def _open(username: str, password: str, *, javascript: bool = True) -> Any:
        give_app_if_needed(username)
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", java_script_enabled=javascript
        )
        contexts.append(context)
        watch_policies(context, policy_violations)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        if "/second-factor/code/" in page.url:
            # As someone without their phone would: one of their backup codes.
            page.get_by_label("Code").fill(fresh_backup_code(username))
            page.get_by_role("button", name="Continue").click()
            page.wait_for_url(lambda url: "/second-factor/" not in url)
        return page

    yield _open
    for context in contexts:
        context.close()
    assert policy_violations == [], "the portal's policies were broken:\n" + "\n".join(
        policy_violations
    )


@pytest.fixture(autouse=True)
def _reference_data(reference_data: None) -> None:
    """Browser pages read the seeded rules and platforms from committed rows."""
