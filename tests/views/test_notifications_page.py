"""The in-portal notifications: list, unread badge, open, mark read, e-mail choices."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from permissions import outbox, services
from permissions.models import EmailPreference, Notification, User
from permissions.models.notifications import DeliveryStatus
from permissions.workflow import Origin
from tests.factories import submitted_request

pytestmark = pytest.mark.django_db


def test_an_officer_sees_a_new_request_in_notifications_and_the_badge(
    login, servant: User, reporting_officer: User
) -> None:  # type: ignore[no-untyped-def]
    request = submitted_request(servant)
    client = login(reporting_officer)
    page = client.get("/notifications/").content.decode()
    assert f"{request.reference} awaits your decision" in page
    assert "(1 unread notification)</span>" in page

    notification = Notification.objects.get(recipient=reporting_officer, kind="submitted")
    response = client.get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/requests/{request.pk}/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "unread notification)</span>" not in client.get("/notifications/").content.decode()


def test_nobody_opens_someone_elses_notification(
    login, servant: User, reporting_officer: User, outsider: User
) -> None:  # type: ignore[no-untyped-def]
    submitted_request(servant)
    notification = Notification.objects.get(recipient=reporting_officer, kind="submitted")
    client = login(outsider)
    assert client.get(f"/notifications/{notification.pk}/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    assert notification.subject not in client.get("/notifications/").content.decode()


def test_mark_all_read_touches_only_ones_own(login, servant: User, reporting_officer: User) -> None:  # type: ignore[no-untyped-def]
    submitted_request(servant)
    submitted_request(servant, topic="Second")
    client = login(reporting_officer)
    response = client.post("/notifications/read/", follow=True)
    assert "2 notifications marked read." in response.content.decode()
    assert not Notification.objects.filter(recipient=reporting_officer, read_at=None).exists()
    assert Notification.objects.filter(recipient=servant, read_at=None).count() == 2


def test_email_choices_switch_off_a_kind_but_never_decisions(
    login, servant: User, reporting_officer: User
) -> None:  # type: ignore[no-untyped-def]
    client = login(servant)
    page = client.get("/profile/email/").content.decode()
    assert 'value="receipt"' in page
    assert 'value="approved"' not in page  # decisions always go out
    response = client.post("/profile/email/", {"emailed": ["submitted", "forwarded"]})
    assert response.status_code == 302
    assert set(EmailPreference.objects.filter(user=servant).values_list("kind", flat=True)) >= {
        "receipt",
        "expiry_reminder",
    }
    request = submitted_request(servant)
    receipt = Notification.objects.get(recipient=servant, kind="receipt", request=request)
    assert receipt.status == DeliveryStatus.PORTAL_ONLY
    from permissions import workflow

    workflow.approve(request.pk, by=reporting_officer)
    approved = Notification.objects.get(recipient=servant, kind="approved")
    assert approved.status == DeliveryStatus.PENDING


def test_a_delegation_tells_both_officers(reporting_officer: User, other_officer: User) -> None:
    today = timezone.localdate()
    delegation = services.delegation_create(
        by=reporting_officer,
        to=other_officer,
        starts=today,
        ends=today + datetime.timedelta(days=5),
        origin=Origin(),
    )
    started = Notification.objects.filter(kind="delegation_started")
    assert set(started.values_list("recipient", flat=True)) == {
        reporting_officer.pk,
        other_officer.pk,
    }
    services.delegation_end(delegation=delegation, by=reporting_officer, origin=Origin())
    assert Notification.objects.filter(kind="delegation_ended").count() == 2


@pytest.mark.parametrize("rows", [5, 50])
def test_the_notifications_page_takes_a_fixed_number_of_queries(
    login, servant: User, django_assert_max_num_queries, rows: int
) -> None:  # type: ignore[no-untyped-def]
    for number in range(rows):
        outbox.notify(recipients=[servant], kind="receipt", key=f"test{number}")
    client = login(servant)
    with django_assert_max_num_queries(4):
        response = client.get("/notifications/")
    assert response.content.decode().count('href="/notifications/') >= min(rows, 25)
