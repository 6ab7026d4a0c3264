"""The auditor's search over every request of every organisation: each filter, the
sub-organisations an organisation includes, keyset pages in every sort order, and
filter values that cannot be used, shown beside their fields."""

from __future__ import annotations

import base64
import datetime
import re
from dataclasses import dataclass

import pytest
import time_machine
from django.test import Client

from permissions import workflow
from permissions.models import ConductRule, Organisation, PermissionRequest, User
from permissions.workflow import Approval
from tests.factories import draft_request, platform, submitted_request
from tests.helpers import PKT, keyset_cursor
from tests.views.conftest import assert_error_beside

from .conftest import references

pytestmark = pytest.mark.django_db


def at(day: str, time: str = "10:00") -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=PKT)


@dataclass
class Filed:
    flood: PermissionRequest  # servant, Information Division: approved in January
    census: PermissionRequest  # press officer, its attached department: pending
    trains: PermissionRequest  # railway officer, another ministry: rejected in March
    budget: PermissionRequest  # servant: a draft never submitted


@pytest.fixture
def filed(
    servant: User,
    reporting_officer: User,
    press_officer: User,
    railway_officer: User,
) -> Filed:
    with time_machine.travel(at("2026-01-10"), tick=False):
        flood = submitted_request(
            servant, topic="Flood relief briefing", outlet="PTV News, 'Policy Matters'"
        )
    with time_machine.travel(at("2026-01-12", "16:00"), tick=False):
        workflow.approve(
            flood.pk,
            by=reporting_officer,
            approval=Approval(
                valid_from=datetime.date(2026, 1, 15), valid_until=datetime.date(2026, 1, 31)
            ),
        )
    # Late in the evening, Pakistan time: still 5 February there, already in UTC too.
    with time_machine.travel(at("2026-02-05", "23:30"), tick=False):
        census = submitted_request(
            press_officer,
            platform=platform("social_media"),
            participation="post",
            account_type="official",
            topic="Census results explained",
            outlet="@pid_gov",
        )
    with time_machine.travel(at("2026-03-01"), tick=False):
        trains = submitted_request(
            railway_officer,
            platform=platform("radio"),
            topic="Train timetables",
            outlet="Radio Pakistan, 'Sunday Hour'",
        )
    with time_machine.travel(at("2026-03-03"), tick=False):
        workflow.reject(
            trains.pk,
            by=railway_officer.reporting_officer,
            reason="Not in the public interest now.",
            rule=ConductRule.objects.get(number="22"),
        )
    with time_machine.travel(at("2026-03-05"), tick=False):
        budget = draft_request(servant, topic="Budget talk", outlet="Dawn")
    return Filed(
        flood=PermissionRequest.objects.get(pk=flood.pk),
        census=PermissionRequest.objects.get(pk=census.pk),
        trains=PermissionRequest.objects.get(pk=trains.pk),
        budget=PermissionRequest.objects.get(pk=budget.pk),
    )


def found(client: Client, **filters: object) -> set[str]:
    response = client.get("/audit/requests/", filters)
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" not in html, f"unexpected error for {filters}"
    return set(references(html))


def refs(*requests: PermissionRequest) -> set[str]:
    return {request.reference for request in requests}


def test_without_filters_every_request_of_every_organisation(
    auditor_browser: Client, filed: Filed
) -> None:
    assert found(auditor_browser) == refs(filed.flood, filed.census, filed.trains, filed.budget)


def test_by_reference(auditor_browser: Client, filed: Filed) -> None:
    number = filed.census.reference.rsplit("-", 1)[1]
    assert found(auditor_browser, reference=filed.census.reference) == refs(filed.census)
    assert found(auditor_browser, reference=number) == refs(filed.census)
    assert found(auditor_browser, reference=filed.census.reference.lower()) == refs(filed.census)
    assert found(auditor_browser, reference="MP-1999-") == set()


def test_by_servant_name_or_user_name(auditor_browser: Client, filed: Filed) -> None:
    assert found(auditor_browser, applicant="ayesha sidd") == refs(filed.census)
    assert found(auditor_browser, applicant="Qureshi") == refs(filed.trains)
    assert found(auditor_browser, applicant="railway-off") == refs(filed.trains)
    assert found(auditor_browser, applicant="ayesha qureshi") == set()


def test_an_organisation_includes_its_parts(
    auditor_browser: Client,
    filed: Filed,
    ministry: Organisation,
    division: Organisation,
    department: Organisation,
    other_ministry: Organisation,
) -> None:
    everything_in_the_ministry = refs(filed.flood, filed.census, filed.budget)
    assert found(auditor_browser, organisation=ministry.pk) == everything_in_the_ministry
    assert found(auditor_browser, organisation=division.pk) == everything_in_the_ministry
    assert found(auditor_browser, organisation=department.pk) == refs(filed.census)
    assert found(auditor_browser, organisation=other_ministry.pk) == refs(filed.trains)


def test_the_organisation_is_the_one_at_submission(
    auditor_browser: Client, filed: Filed, servant: User, other_ministry: Organisation
) -> None:
    """A servant who moves keeps their submitted requests where they were filed; their
    draft, never submitted, follows them."""
    servant.organisation = other_ministry
    servant.save(update_fields=["organisation"])
    assert found(auditor_browser, organisation=other_ministry.pk) == refs(
        filed.trains, filed.budget
    )


def test_the_organisation_list_shows_the_tree(
    auditor_browser: Client, filed: Filed, department: Organisation
) -> None:
    html = auditor_browser.get("/audit/requests/").content.decode()
    ministry_at = html.index(">Ministry of Information</option>")
    division_at = html.index(">— Information Division</option>")
    department_at = html.index(">— — Press Information Department</option>")
    assert ministry_at < division_at < department_at


def test_by_platform_and_category(auditor_browser: Client, filed: Filed) -> None:
    assert found(auditor_browser, category="social_media") == refs(filed.census)
    assert found(auditor_browser, category="television") == refs(filed.flood, filed.budget)
    assert found(auditor_browser, platform=platform("radio").pk) == refs(filed.trains)
    assert found(auditor_browser, category="radio", platform=platform("television").pk) == set()


def test_by_status(auditor_browser: Client, filed: Filed) -> None:
    assert found(auditor_browser, status="approved") == refs(filed.flood)
    assert found(auditor_browser, status="pending") == refs(filed.census)
    assert found(auditor_browser, status="rejected") == refs(filed.trains)
    assert found(auditor_browser, status="draft") == refs(filed.budget)
    assert found(auditor_browser, status="revoked") == set()


def test_by_the_officer_who_decided(
    auditor_browser: Client, filed: Filed, reporting_officer: User
) -> None:
    assert found(auditor_browser, decided_by="reporting") == refs(filed.flood)
    assert found(auditor_browser, decided_by=reporting_officer.last_name) == refs(filed.flood)
    assert found(auditor_browser, decided_by="railway-chief") == refs(filed.trains)
    # The applicant acted on their request (submitted it) but decided nothing.
    assert found(auditor_browser, decided_by="press-officer") == set()


def test_by_submission_dates_whole_days_in_pakistan_time(
    auditor_browser: Client, filed: Filed
) -> None:
    assert found(auditor_browser, submitted_from="2026-02-01", submitted_to="2026-02-28") == refs(
        filed.census
    )
    # 23:30 on 5 February counts as 5 February, up to the end of that day.
    assert found(auditor_browser, submitted_to="2026-02-05") == refs(filed.flood, filed.census)
    assert found(auditor_browser, submitted_from="2026-02-06") == refs(filed.trains)
    assert found(auditor_browser, submitted_from="2026-01-10", submitted_to="2026-01-10") == refs(
        filed.flood
    )


def test_by_decision_dates(auditor_browser: Client, filed: Filed) -> None:
    assert found(auditor_browser, decided_from="2026-01-01", decided_to="2026-01-31") == refs(
        filed.flood
    )
    assert found(auditor_browser, decided_from="2026-03-03") == refs(filed.trains)
    assert found(auditor_browser, decided_to="2026-01-11") == set()


def test_by_validity_any_overlap(auditor_browser: Client, filed: Filed) -> None:
    assert found(auditor_browser, valid_from="2026-01-20", valid_to="2026-01-25") == refs(
        filed.flood
    )
    assert found(auditor_browser, valid_from="2026-01-31") == refs(filed.flood)
    assert found(auditor_browser, valid_to="2026-01-15") == refs(filed.flood)
    assert found(auditor_browser, valid_from="2026-02-01") == set()
    assert found(auditor_browser, valid_to="2026-01-14") == set()


def test_free_text_over_topic_and_outlet(auditor_browser: Client, filed: Filed) -> None:
    assert found(auditor_browser, text="flood") == refs(filed.flood)
    assert found(auditor_browser, text="RADIO pakistan") == refs(filed.trains)
    # Each word may be in either: the topic or the outlet.
    assert found(auditor_browser, text="flood ptv") == refs(filed.flood)
    assert found(auditor_browser, text="@pid") == refs(filed.census)
    assert found(auditor_browser, text="flood radio") == set()
    # The summary is not searched: every request here has the same one.
    assert found(auditor_browser, text="online services") == set()


def test_filters_combine(auditor_browser: Client, filed: Filed, ministry: Organisation) -> None:
    assert found(
        auditor_browser, organisation=ministry.pk, status="pending", text="census"
    ) == refs(filed.census)
    assert found(auditor_browser, organisation=ministry.pk, status="rejected") == set()


def test_the_filters_stay_in_the_url_and_the_form(auditor_browser: Client, filed: Filed) -> None:
    html = auditor_browser.get(
        "/audit/requests/", {"text": "flood", "status": "approved", "sort": "reference"}
    ).content.decode()
    assert 'method="get"' in html
    assert 'name="text" value="flood"' in html
    assert '<option value="approved" selected>' in html
    assert '<option value="reference" selected>' in html
    # The export buttons send the same filters.
    exported = re.search(r'name="filters" value="([^"]*)"', html)
    assert exported is not None
    assert "text=flood" in exported.group(1)
    assert "status=approved" in exported.group(1)


@pytest.mark.parametrize(
    ("filters", "field", "message"),
    [
        ({"submitted_from": "2026-13-45"}, "submitted_from", "Enter a valid date."),
        ({"decided_to": "yesterday"}, "decided_to", "Enter a valid date."),
        (
            {"submitted_from": "2026-03-01", "submitted_to": "2026-02-01"},
            "submitted_to",
            "This date is before 1 Mar 2026; the range would hold nothing.",
        ),
        (
            {"valid_from": "0001-01-01"},
            "valid_from",
            "Enter a date between 1 Jan 1947 and",
        ),
        (
            {"valid_to": "9999-12-31"},
            "valid_to",
            "Enter a date between 1 Jan 1947 and",
        ),
        ({"organisation": "ministry"}, "organisation", "Select a valid choice."),
        ({"organisation": "999999"}, "organisation", "Select a valid choice."),
        ({"platform": "-1"}, "platform", "Select a valid choice."),
        ({"status": "lost"}, "status", "Select a valid choice."),
        ({"category": "carrier_pigeon"}, "category", "Select a valid choice."),
        ({"sort": "sideways"}, "sort", "Select a valid choice."),
        ({"text": "x" * 201}, "text", "Ensure this value has at most 200 characters"),
        ({"reference": "MP\x00"}, "reference", "Null characters are not allowed."),
    ],
)
def test_bad_filters_are_shown_beside_their_field(
    auditor_browser: Client, filed: Filed, filters: dict[str, str], field: str, message: str
) -> None:
    response = auditor_browser.get("/audit/requests/", filters)
    assert response.status_code == 200
    html = response.content.decode()
    assert_error_beside(html, field, message)
    assert f'aria-describedby="id_{field}_error' in html or (
        f'aria-describedby="id_{field}_helptext id_{field}_error"' in html
    )
    # Nothing is listed until the filters can be used.
    assert references(html) == []
    assert "Correct the filters marked to see the requests." in html


def test_bad_filters_beside_their_field_as_the_portal_shows_errors(
    auditor_browser: Client, filed: Filed
) -> None:
    html = auditor_browser.get(
        "/audit/requests/", {"submitted_from": "2026-03-01", "submitted_to": "2026-02-01"}
    ).content.decode()
    assert_error_beside(
        html, "submitted_to", "This date is before 1 Mar 2026; the range would hold nothing."
    )
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_submitted_to_error"' in html


# Each sort of the list, and the order it must give, worked out here from the rows.
SORTS = [
    ("newest", lambda r: (-r.created_at.timestamp(), -r.pk)),
    ("oldest", lambda r: (r.created_at.timestamp(), r.pk)),
    (
        "submitted",
        lambda r: (
            r.submitted_at is None,
            -r.submitted_at.timestamp() if r.submitted_at else 0,
            -r.pk,
        ),
    ),
    (
        "decided",
        lambda r: (
            r.decided_at is None,
            -r.decided_at.timestamp() if r.decided_at else 0,
            -r.pk,
        ),
    ),
    (
        "valid_until",
        lambda r: (r.valid_until is None, r.valid_until or datetime.date.min, r.pk),
    ),
    ("reference", lambda r: (r.reference, r.pk)),
]


def test_every_sort_order_pages_through_everything_once(
    auditor_browser: Client,
    servant: User,
    reporting_officer: User,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    """23 requests, 5 to a page: ties on every sort column across page boundaries, and
    empty values (not decided, no validity) that must come last, each exactly once."""
    settings.PAGE_SIZE = 5
    moments = [at("2026-04-01", "09:00"), at("2026-04-02", "09:00"), at("2026-04-03", "09:00")]
    for n in range(23):
        with time_machine.travel(moments[n % 3], tick=False):
            request = (
                submitted_request(servant, topic=f"Talk {n}")
                if n % 4
                else draft_request(servant, topic=f"Talk {n}")
            )
            if n % 4 == 1:
                workflow.approve(
                    request.pk,
                    by=reporting_officer,
                    approval=Approval(
                        valid_from=datetime.date(2026, 4, 10),
                        valid_until=datetime.date(2026, 4, 20 + n % 2),
                    ),
                )
    wrong = {}
    for sort, key in SORTS:
        expected = [r.reference for r in sorted(PermissionRequest.objects.all(), key=key)]
        seen: list[str] = []
        url = f"/audit/requests/?sort={sort}"
        for _page in range(10):
            html = auditor_browser.get(url).content.decode()
            seen += references(html)
            link = re.search(r'href="(\?[^"]*after=[^"]+)"', html)
            if link is None:
                break
            url = "/audit/requests/" + link.group(1).replace("&amp;", "&")
        if seen != expected or len(set(seen)) != 23:
            wrong[sort] = (seen, expected)

    assert wrong == {}


GARBAGE_CURSORS = [
    "garbage",
    "!!!",
    keyset_cursor(1, 2),
    "bnVsbA",  # null
    keyset_cursor("x", "two"),
    keyset_cursor("2026-01-01T10:00:00+05:00", 10**30),
    keyset_cursor("2026-01-01T10:00:00+05:00", -1),
    keyset_cursor("0001-01-01T00:00:00+05:00", 3),
    keyset_cursor("9999-12-31T23:59:59-05:00", 3),
    keyset_cursor("2026-02-30", 3),
    keyset_cursor("2026-01-01T10:00:00", 3),
    # NUL, which PostgreSQL refuses in text, and a nesting deep enough to exhaust
    # the JSON parser's recursion.
    keyset_cursor("MP-2026\u0000", 3),
    base64.urlsafe_b64encode(b"[" * 5_000).decode(),
]


@pytest.mark.parametrize("sort", ["newest", "decided", "valid_until", "reference"])
def test_a_garbage_cursor_shows_the_first_page(
    auditor_browser: Client, filed: Filed, sort: str
) -> None:
    first = references(auditor_browser.get("/audit/requests/", {"sort": sort}).content.decode())
    assert first
    wrong = {}
    for cursor in GARBAGE_CURSORS:
        response = auditor_browser.get("/audit/requests/", {"sort": sort, "after": cursor})
        shown = references(response.content.decode())
        if (response.status_code, shown) != (200, first):
            wrong[cursor] = (response.status_code, shown)

    assert wrong == {}


def test_urdu_typed_into_a_request_is_found_by_urdu_words(
    auditor_browser: Client, servant: User
) -> None:
    urdu = submitted_request(
        servant, topic="سیلاب زدگان کی امداد پر گفتگو", outlet="پی ٹی وی نیوز، 'خبرنامہ'"
    )
    submitted_request(servant, topic="Flood relief in Sindh")
    assert found(auditor_browser, text="سیلاب") == refs(urdu)
    # Words from the topic and the outlet together, in any order.
    assert found(auditor_browser, text="خبرنامہ امداد") == refs(urdu)
    assert found(auditor_browser, text="سیلاب ریڈیو") == set()
