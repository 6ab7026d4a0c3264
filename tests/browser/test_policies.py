"""The pages the journeys do not pass through, in Chromium under the portal's policies:
nothing on them is blocked, and what would be blocked is seen and reported."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from permissions.console import dashboard
from permissions.models import User
from tests.factories import PASSWORD, submitted_request

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


class ReportsReceived(logging.Handler):
    """The violations the portal's report endpoint logged, with a signal on the first."""

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[dict[str, str]] = []
        self.arrived = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.summaries.append(record.csp_violation)  # type: ignore[attr-defined]
        self.arrived.set()


@pytest.fixture
def reports_received() -> Iterator[ReportsReceived]:
    handler = ReportsReceived()
    logger = logging.getLogger("permissions.csp.views")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def test_an_inline_style_is_blocked_seen_and_reported(
    new_page: Any,
    servant: User,
    policy_violations: list[str],
    reports_received: ReportsReceived,
) -> None:
    page = new_page(servant.username, PASSWORD)
    page.goto("/requests/")
    assert policy_violations == []

    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(
            """() => {
              const style = document.createElement("style");
              style.textContent = "body { display: none }";
              document.head.append(style);
            }"""
        )
    page.wait_for_function("() => window.policyViolationsRecorded >= 1")

    expect(page.get_by_role("heading", name="My requests")).to_be_visible()
    assert any(v.startswith("console: ") and "style-src" in v for v in policy_violations)
    assert any(
        v.startswith("event: style-src-elem blocked inline") and "/requests/" in v
        for v in policy_violations
    )
    # The browser posts the report to the portal, which logs it.
    assert reports_received.arrived.wait(timeout=15)
    assert reports_received.summaries[0]["directive"] == "style-src-elem"
    assert reports_received.summaries[0]["document"].endswith("/requests/")
    # Seen and accounted for: the fixture's own check looks for anything else.
    policy_violations.clear()


def test_the_console_charts_draw_under_the_policy(
    new_page: Any, servant: User, auditor: User, policy_violations: list[str]
) -> None:
    submitted_request(servant, topic="Flood relief briefing")
    dashboard.refresh()  # as beat does: without a worker here, a visit would only ask
    page = new_page(auditor.username, PASSWORD)
    page.goto("/audit/")

    bar = page.locator("svg.console-chart rect.console-chart-bar").first
    expect(bar).to_be_visible()
    # The bars take their colour from console.css; had the stylesheet been blocked they
    # would be drawn black.
    fill = bar.evaluate("rect => getComputedStyle(rect).fill")
    assert fill not in {"rgb(0, 0, 0)", "none"}
    for path in ("/audit/requests/", "/audit/log/", "/audit/verification/"):
        page.goto(path)
    assert policy_violations == []


def test_the_request_filter_swaps_rows_through_htmx_under_the_policy(
    new_page: Any, servant: User, policy_violations: list[str]
) -> None:
    submitted_request(servant, topic="Flood relief briefing")
    page = new_page(servant.username, PASSWORD)
    page.goto("/requests/")

    with page.expect_response(lambda response: "status=draft" in response.url) as swapped:
        page.get_by_label("Status").select_option(value="draft")
    assert swapped.value.request.headers.get("hx-request") == "true"
    # The response arrives before htmx swaps it in: wait for the swap, not the wire.
    expect(page.get_by_text("Flood relief briefing")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"status=draft"))
    assert page.evaluate("() => document.querySelectorAll('style').length") == 0
    assert policy_violations == []


def test_the_profile_notifications_and_admin_open_under_the_policy(
    new_page: Any, servant: User, superuser: User, policy_violations: list[str]
) -> None:
    submitted_request(servant, topic="Flood relief briefing")
    page = new_page(servant.username, PASSWORD)
    for path in ("/profile/", "/profile/email/", "/notifications/", "/password/"):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()

    admin = new_page(superuser.username, PASSWORD)
    admin.goto("/admin/")
    expect(admin.get_by_role("heading", name="Site administration")).to_be_visible()
    admin.goto("/admin/permissions/permissionrequest/")
    # The admin's own scripts run: the "select all" box ticks every row.
    admin.locator("#action-toggle").check()
    assert admin.locator("input.action-select").first.is_checked()
    assert policy_violations == []
