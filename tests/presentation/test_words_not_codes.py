"""Wherever people read the portal (its pages, the console, the exports, the mails and
the dashboard's charts), a status, an action, a condition, a platform category, a kind
of participation or a capacity reads as its label, never as the code stored for it."""

from __future__ import annotations

import csv
import io

import pytest

from permissions import emails
from permissions.console import dashboard
from permissions.models import Delegation, Notification
from permissions.models.notifications import NotificationKind
from permissions.models.requests import StandardCondition
from permissions.states import Status
from tests.console.conftest import xlsx_cells

from .conftest import World, codes_in, codes_on_page, signed_in, visible_text

pytestmark = pytest.mark.django_db

# Export columns that hold codes, names of accounts or raw records on purpose.
CODE_COLUMNS = {
    "Action code",
    "From code",
    "To code",
    "Condition codes",
    "Details",
    "User name",
    "By (user name)",
    "For (user name)",
    "User agent",
    "Previous hash",
    "Hash",
}


def assert_no_codes(client, paths: list[str]) -> None:  # type: ignore[no-untyped-def]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert codes_on_page(response.content.decode()) == set(), path


@pytest.mark.django_db(databases=[])
def test_the_check_finds_codes_a_person_would_read_and_nothing_else() -> None:
    leaky = (
        "<td>pending</td><p>Approved <span>(draft → pending)</span></p>"
        "<li>personal_views</li><td>Sign-in: login.failed</td>"
    )
    assert codes_on_page(leaky) == {"pending", "draft", "personal_views", "login.failed"}
    clean = (
        '<td class="pending">Pending</td><option value="personal_views">The views expressed'
        " are personal.</option><p>Your request is approved, valid from 4 May 2026.</p>"
        "<script>var status = 'pending';</script>"
    )
    assert codes_on_page(clean) == set()
    assert visible_text(clean)[0] == "Pending"


def test_the_servants_pages(world: World) -> None:
    servant = signed_in(world.servant)
    own = [r for name, r in world.requests.items() if name != "nameless"]
    assert_no_codes(
        servant,
        [
            "/requests/",
            *[f"/requests/?status={status}" for status in Status.values],
            *[f"/requests/{request.pk}/" for request in own],
            f"/requests/{world.requests['draft'].pk}/edit/",
            f"/requests/{world.requests['returned'].pk}/edit/",
            "/notifications/",
            "/profile/",
            "/profile/email/",
        ],
    )
    detail = servant.get(f"/requests/{world.requests['approved'].pk}/").content.decode()
    assert "(Pending → Approved)" in visible_text(detail)


def test_the_officers_pages(world: World) -> None:
    reporting = signed_in(world.reporting_officer)
    assert_no_codes(
        reporting,
        [
            "/inbox/",
            "/inbox/decided/",
            f"/requests/{world.requests['nameless'].pk}/decide/",
            # Not the escalated one: it went to the countersigning officer.
            *[
                f"/requests/{request.pk}/"
                for name, request in world.requests.items()
                if name not in {"escalated", "draft"}
            ],
            "/notifications/",
            "/profile/",
        ],
    )
    countersigning = signed_in(world.countersigning_officer)
    assert_no_codes(
        countersigning,
        [
            "/inbox/",
            "/inbox/decided/",
            f"/requests/{world.requests['second_step'].pk}/decide/",
            f"/requests/{world.requests['escalated'].pk}/decide/",
            "/notifications/",
        ],
    )
    delegate = signed_in(world.delegate)
    assert_no_codes(delegate, ["/inbox/", "/inbox/decided/", "/profile/", "/notifications/"])


def test_the_console(world: World) -> None:
    auditor = signed_in(world.auditor)
    assert_no_codes(
        auditor,
        [
            "/audit/",
            "/audit/requests/",
            *[f"/audit/requests/?status={status}" for status in Status.values],
            *[f"/audit/requests/{request.pk}/" for request in world.requests.values()],
            "/audit/log/",
            "/audit/verification/",
        ],
    )
    record = auditor.get(f"/audit/requests/{world.requests['approved'].pk}/").content.decode()
    assert "Draft → Pending" in visible_text(record)
    assert "Pending → Approved" in visible_text(record)


def _csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(body)))
    return [dict(zip(header, row, strict=True)) for row in rows]


def _xlsx(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    header, *rows = xlsx_cells(b"".join(response.streaming_content))
    headings = [text for text, _kind, _formula in header]
    return [
        dict(zip(headings, [text for text, _kind, _formula in row], strict=False)) for row in rows
    ]


def _shown_cells(rows: list[dict[str, str]]) -> list[str]:
    return [value for row in rows for column, value in row.items() if column not in CODE_COLUMNS]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_exports(world: World, fmt: str) -> None:
    auditor = signed_in(world.auditor)
    read = _csv if fmt == "csv" else _xlsx
    requests = read(auditor.get(f"/audit/requests/export.{fmt}"))
    events = read(auditor.get(f"/audit/log/export.{fmt}"))

    assert len(requests) == len(world.requests)
    assert codes_in(_shown_cells(requests)) == set()
    assert codes_in(_shown_cells(events)) == set()
    approved = next(
        row for row in requests if row["Reference"] == world.requests["approved"].reference
    )
    assert approved["Conditions"] == " ".join(str(label) for label in StandardCondition.labels)
    assert approved["Condition codes"] == ", ".join(StandardCondition.values)
    rejection = next(row for row in events if row["Action code"] == "reject")
    assert (rejection["From"], rejection["To"]) == ("Pending", "Rejected")
    assert (rejection["From code"], rejection["To code"]) == ("pending", "rejected")


def _mail_pieces(subject: str, text: str, html: str) -> list[str]:
    return [subject, *text.splitlines(), *visible_text(html)]


def test_every_mail(world: World) -> None:
    written = list(Notification.objects.all())
    assert {notification.kind for notification in written} == set(NotificationKind.values)
    for notification in written:
        pieces = _mail_pieces(notification.subject, notification.body_text, notification.body_html)
        assert codes_in(pieces) == set(), (notification.kind, notification.body_text)

    # Every kind, rendered afresh about the request with every condition.
    approved = world.fresh("approved")
    context = {
        "recipient": world.servant,
        "permission_request": approved,
        "link": "https://portal.example/requests/1/",
        "previous_officer": world.reporting_officer,
        "new_officer": world.countersigning_officer,
        "days_left": 7,
        "waiting_since": approved.submitted_at,
        "delegation": Delegation.objects.filter(delegate=world.delegate).get(),
        "reason": "Phone lost on tour.",
        "reset_by": world.auditor,
        "reset_at": approved.submitted_at,
    }
    for kind in NotificationKind.values:
        rendered = emails.render(kind, context)
        assert codes_in(_mail_pieces(rendered.subject, rendered.text, rendered.html)) == set(), kind
    text = emails.render("approved", context).text
    for label in StandardCondition.labels:
        assert f"- {label}\n" in text


def test_the_dashboards_charts(world: World) -> None:
    figures = dashboard.build()
    for chart in (
        figures.by_status,
        figures.by_category,
        figures.by_organisation,
        figures.by_month,
    ):
        labels = [bar.label for bar in chart.bars]
        assert codes_in(labels) == set(), chart.key
        assert codes_in(visible_text(str(chart.svg()))) == set(), chart.key
    assert "Returned for clarification" in [bar.label for bar in figures.by_status.bars]
    assert "Press conference or media talk" in [bar.label for bar in figures.by_category.bars]
