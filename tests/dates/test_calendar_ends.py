"""The two dates that once took pages down for everyone: an event in year 1, which
PostgreSQL kept as a BC timestamp it could not hand back, and an event on the last day of
year 9999, to which the officer's decision could not add the validity."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from permissions.dates import latest_date
from permissions.models import AuditEvent, PermissionRequest
from permissions.models.requests import Status
from tests.factories import draft_request, submitted_request
from tests.views.conftest import assert_error_beside, request_form_data

from .conftest import Pages, day_input, has_error, window_message

pytestmark = pytest.mark.django_db


def test_an_event_in_year_one_is_refused_and_every_page_still_answers(pages: Pages) -> None:
    draft = draft_request(pages.servant)
    event_at = draft.event_at
    requests_before = PermissionRequest.objects.count()

    for url, button in [
        ("/requests/new/", "save"),
        ("/requests/new/", "submit"),
        (f"/requests/{draft.pk}/edit/", "save"),
        (f"/requests/{draft.pk}/edit/", "submit"),
    ]:
        response = pages.applicant.post(
            url, request_form_data(event_at="0001-01-01T00:00", declaration="on", **{button: ""})
        )
        assert response.status_code == 200
        assert_error_beside(response.content.decode(), "event_at", window_message())

    assert PermissionRequest.objects.count() == requests_before
    draft.refresh_from_db()
    assert (draft.status, draft.event_at) == (Status.DRAFT, event_at)
    assert pages.applicant.get("/requests/").status_code == 200
    assert pages.applicant.get(f"/requests/{draft.pk}/").status_code == 200
    assert pages.auditor.get("/audit/requests/").status_code == 200
    assert pages.auditor.get("/audit/requests/", {"status": "draft"}).status_code == 200
    assert pages.auditor.get(f"/audit/requests/{draft.pk}/").status_code == 200


def test_an_event_on_the_last_day_of_the_window_can_be_decided(pages: Pages) -> None:
    last_day = latest_date()
    response = pages.applicant.post(
        "/requests/new/",
        request_form_data(event_at=f"{day_input(last_day)}T23:59", declaration="on", submit=""),
    )
    assert response.status_code == 302
    request = PermissionRequest.objects.get(applicant=pages.servant)
    assert request.status == Status.PENDING

    decide_page = pages.officer.get(f"/requests/{request.pk}/decide/")
    assert decide_page.status_code == 200
    # The officer sends the validity the page proposes: the day of the event.
    html = decide_page.content.decode()
    assert f'value="{day_input(last_day)}"' in html
    response = pages.officer.post(
        f"/requests/{request.pk}/decide/",
        {
            "decision": "approve",
            "valid_from": day_input(last_day),
            "valid_until": day_input(last_day),
        },
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.APPROVED
    assert (request.valid_from, request.valid_until) == (last_day, last_day)
    assert AuditEvent.objects.filter(request=request, action="approve").exists()


@pytest.mark.parametrize(
    "zone", ["Asia/Karachi", "UTC"], ids=["in-pakistan-time", "in-utc-beyond-pakistan-time"]
)
def test_a_row_holding_the_last_day_of_year_9999_does_not_take_the_decide_page_down(
    pages: Pages, zone: str
) -> None:
    """Written straight into the table, as an import or a hand-made fix might."""
    request = submitted_request(pages.servant)
    last_minute = datetime.datetime(9999, 12, 31, 23, 59, tzinfo=ZoneInfo(zone))
    PermissionRequest.objects.filter(pk=request.pk).update(event_at=last_minute)

    decide_page = pages.officer.get(f"/requests/{request.pk}/decide/")

    assert decide_page.status_code == 200
    # Sending the proposed validity back is refused beside the fields, not a server error.
    response = pages.officer.post(
        f"/requests/{request.pk}/decide/",
        {"decision": "approve", "valid_from": "9999-12-31", "valid_until": "9999-12-31"},
    )
    assert response.status_code == 200
    assert has_error(response.content.decode(), "valid_until")
    request.refresh_from_db()
    assert request.status == Status.PENDING
    assert pages.applicant.get(f"/requests/{request.pk}/").status_code == 200
    assert pages.applicant.get("/requests/").status_code == 200


def test_a_draft_holding_a_moment_beyond_pakistan_s_calendar_can_still_be_corrected(
    pages: Pages,
) -> None:
    """The last minute of year 9999 in UTC is already year 10000 in Pakistan."""
    draft = draft_request(pages.servant)
    beyond = datetime.datetime(9999, 12, 31, 23, 59, tzinfo=datetime.UTC)
    PermissionRequest.objects.filter(pk=draft.pk).update(event_at=beyond)

    edit_page = pages.applicant.get(f"/requests/{draft.pk}/edit/")

    assert edit_page.status_code == 200
    assert 'value="9999-12-31T23:59"' in edit_page.content.decode()
    next_week = timezone.localtime() + datetime.timedelta(days=7)
    corrected = next_week.replace(second=0, microsecond=0)
    response = pages.applicant.post(
        f"/requests/{draft.pk}/edit/",
        request_form_data(event_at=corrected.strftime("%Y-%m-%dT%H:%M"), save=""),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.event_at == corrected
