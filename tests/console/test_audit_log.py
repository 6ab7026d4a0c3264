"""The audit log: every event, sign-ins included, newest first in keyset pages, filtered
by the person acting, the action, whole days, and the organisation of the person acting
or of the request's applicant (its parts included)."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from permissions import audit, workflow
from permissions.models import AuditEvent, Organisation, User
from tests.factories import UserFactory, submitted_request
from tests.helpers import PKT, keyset_cursor
from tests.views.conftest import assert_error_beside

pytestmark = pytest.mark.django_db


def event_ids(html: str) -> list[int]:
    return [
        int(pk)
        for pk in re.findall(r'<td class="text-nowrap" data-label="Event">#(\d+)</td>', html)
    ]


def shown(client: Client, **filters: object) -> set[int]:
    response = client.get("/audit/log/", filters)
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" not in html, f"unexpected error for {filters}"
    return set(event_ids(html))


def ids(**lookup: object) -> set[int]:
    return set(AuditEvent.objects.filter(**lookup).values_list("pk", flat=True))


@pytest.fixture
def history(
    servant: User,
    reporting_officer: User,
    press_officer: User,
    railway_officer: User,
    settings,  # type: ignore[no-untyped-def]
) -> dict[str, AuditEvent]:
    settings.PAGE_SIZE = 100
    with time_machine.travel(datetime.datetime(2026, 2, 1, 23, 30, tzinfo=PKT), tick=False):
        census = submitted_request(press_officer, topic="Census")
    with time_machine.travel(datetime.datetime(2026, 2, 2, 0, 30, tzinfo=PKT), tick=False):
        workflow.approve(census.pk, by=reporting_officer)
    with time_machine.travel(datetime.datetime(2026, 2, 3, 9, 0, tzinfo=PKT), tick=False):
        trains = submitted_request(railway_officer, topic="Trains")
        signed_in = audit.record("login", actor=railway_officer)
    events = {
        e.action + ":" + (e.request.topic if e.request else "-"): e
        for e in AuditEvent.objects.select_related("request")
    }
    events["login:railway"] = signed_in
    events["trains"] = AuditEvent.objects.get(request=trains)
    return events


def test_every_event_incl_sign_ins(auditor_browser: Client, history: dict[str, AuditEvent]) -> None:
    assert shown(auditor_browser) == set(AuditEvent.objects.values_list("pk", flat=True))
    html = auditor_browser.get("/audit/log/").content.decode()
    assert "Signed in" in html


def test_newest_first(auditor_browser: Client, history: dict[str, AuditEvent]) -> None:
    html = auditor_browser.get("/audit/log/").content.decode()
    expected = list(AuditEvent.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
    assert event_ids(html) == expected


def test_by_the_person_acting(
    auditor_browser: Client, history: dict[str, AuditEvent], reporting_officer: User
) -> None:
    assert shown(auditor_browser, actor="Bilal Qureshi") == ids(actor__username="railway-officer")
    assert shown(auditor_browser, actor="reporting") == ids(actor=reporting_officer)
    assert shown(auditor_browser, actor="nobody-at-all") == set()


def test_by_action(auditor_browser: Client, history: dict[str, AuditEvent]) -> None:
    assert shown(auditor_browser, action="approve") == ids(action="approve")
    assert shown(auditor_browser, action="login") == ids(action="login")
    assert shown(auditor_browser, action="export") == set()


def test_by_whole_days_in_pakistan_time(
    auditor_browser: Client, history: dict[str, AuditEvent]
) -> None:
    # 23:30 on 1 February, Pakistan time, is 18:30 UTC: 1 February either way; 00:30 on
    # 2 February is still 1 February in UTC, but 2 February here.
    assert shown(auditor_browser, start="2026-02-01", end="2026-02-01") == ids(
        action="submit", request__topic="Census"
    )
    assert shown(auditor_browser, start="2026-02-02", end="2026-02-02") == ids(action="approve")
    assert shown(auditor_browser, start="2026-02-03", end="2026-02-03") == ids(
        request__topic="Trains"
    ) | {history["login:railway"].pk}
    assert shown(auditor_browser, end="2026-01-31") == set()


def test_by_organisation_of_the_person_acting_or_of_the_request(
    auditor_browser: Client,
    history: dict[str, AuditEvent],
    ministry: Organisation,
    division: Organisation,
    department: Organisation,
    other_ministry: Organisation,
    reporting_officer: User,
) -> None:
    census_submitted = ids(action="submit", request__topic="Census")
    census_approved = ids(action="approve")  # by the reporting officer, of the Division
    railway = ids(request__topic="Trains") | {history["login:railway"].pk}

    # The department (the press officer's): their submission, by them, about their
    # request; the approval, by an officer of the Division, about the department's request.
    assert shown(auditor_browser, organisation=department.pk, organisation_of="actor") == (
        census_submitted
    )
    assert shown(auditor_browser, organisation=department.pk, organisation_of="request") == (
        census_submitted | census_approved
    )
    # The Division includes the department: both, whether by actor or by request.
    assert shown(auditor_browser, organisation=division.pk, organisation_of="actor") >= (
        census_submitted | census_approved
    )
    assert shown(auditor_browser, organisation=ministry.pk) >= census_submitted | census_approved
    assert not shown(auditor_browser, organisation=ministry.pk) & railway
    # The other ministry: its servant's request and sign-in, not the auditor's sign-in.
    assert shown(auditor_browser, organisation=other_ministry.pk) == railway
    assert shown(auditor_browser, organisation=other_ministry.pk, organisation_of="request") == (
        ids(request__topic="Trains")
    )


@pytest.mark.parametrize(
    ("filters", "field", "message"),
    [
        ({"start": "31/02/2026"}, "start", "Enter a valid date."),
        ({"start": "2026-02-03", "end": "2026-02-01"}, "end", "This date is before 3 Feb 2026"),
        ({"action": "launch"}, "action", "Select a valid choice."),
        ({"organisation": "x"}, "organisation", "Select a valid choice."),
        ({"organisation_of": "neighbour"}, "organisation_of", "Select a valid choice."),
        ({"actor": "a" * 101}, "actor", "Ensure this value has at most 100 characters"),
    ],
)
def test_bad_filters_are_shown_beside_their_field(
    auditor_browser: Client,
    history: dict[str, AuditEvent],
    filters: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = auditor_browser.get("/audit/log/", filters)
    assert response.status_code == 200
    html = response.content.decode()
    assert_error_beside(html, field, message)
    assert event_ids(html) == []
    assert "Correct the filters marked to see the events." in html


def test_pages_visit_every_event_once_newest_first(
    auditor_browser: Client,
    auditor: User,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    """Events sharing one moment across page boundaries are neither lost nor repeated."""
    settings.PAGE_SIZE = 5
    moment = timezone.now() - datetime.timedelta(hours=1)
    for n in range(17):
        with time_machine.travel(moment + datetime.timedelta(seconds=n // 4), tick=False):
            audit.record("login", actor=UserFactory())
    seen: list[int] = []
    url = "/audit/log/"
    for _page in range(10):
        html = auditor_browser.get(url).content.decode()
        seen += event_ids(html)
        link = re.search(r'href="(\?[^"]*after=[^"]+)"', html)
        if link is None:
            break
        url = "/audit/log/" + link.group(1).replace("&amp;", "&")
    expected = list(AuditEvent.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
    assert seen == expected
    assert len(expected) >= 18


def test_events_link_to_their_request(
    auditor_browser: Client, history: dict[str, AuditEvent]
) -> None:
    trains = history["trains"]
    html = auditor_browser.get("/audit/log/", {"action": "submit"}).content.decode()
    assert f'href="/audit/requests/{trains.request_id}/">{trains.request.reference}</a>' in html


GARBAGE_CURSORS = [
    "garbage",
    keyset_cursor(None, 3),  # the log's times are never empty
    keyset_cursor("0001-01-01T00:00:00+05:00", 3),
    keyset_cursor("2026-01-01T10:00:00+05:00", 10**24),
    keyset_cursor("2026-01-01", 3),
]


def test_a_garbage_cursor_shows_the_first_page(
    auditor_browser: Client, history: dict[str, AuditEvent]
) -> None:
    first = event_ids(auditor_browser.get("/audit/log/").content.decode())
    assert first
    wrong = {}
    for cursor in GARBAGE_CURSORS:
        response = auditor_browser.get("/audit/log/", {"after": cursor})
        shown = event_ids(response.content.decode())
        if (response.status_code, shown) != (200, first):
            wrong[cursor] = (response.status_code, shown)

    assert wrong == {}
