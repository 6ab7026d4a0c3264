"""The admin shows requests read-only and changes their state only through the workflow."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from permissions import workflow
from permissions.models import AuditEvent, PermissionRequest, RoutingRule, User
from tests.factories import submitted_request
from tests.helpers import pass_second_factor

pytestmark = pytest.mark.django_db


def test_requests_are_read_only_in_the_admin(admin_client_logged_in: Client, servant: User) -> None:
    request = submitted_request(servant)
    url = f"/admin/permissions/permissionrequest/{request.pk}/change/"
    page = admin_client_logged_in.get(url)
    assert page.status_code == 200
    assert request.reference in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    admin_client_logged_in.post(url, {"topic": "Changed behind the workflow's back"})
    assert PermissionRequest.objects.get(pk=request.pk).topic == request.topic
    assert (
        admin_client_logged_in.get("/admin/permissions/permissionrequest/add/").status_code == 403
    )


def test_the_expire_action_goes_through_the_workflow(
    admin_client_logged_in: Client, servant: User, reporting_officer: User
) -> None:
    lapsed = workflow.approve(submitted_request(servant).pk, by=reporting_officer)
    still_valid = workflow.approve(
        submitted_request(servant, event_at=timezone.now() + datetime.timedelta(days=30)).pk,
        by=reporting_officer,
    )
    assert lapsed.valid_until is not None
    later = timezone.now() + datetime.timedelta(days=10)
    with time_machine.travel(later, tick=False):
        # Sessions last a working day; sign in again on the later day.
        root = User.objects.get(username="root")
        admin_client_logged_in.force_login(root)
        pass_second_factor(admin_client_logged_in, root)
        response = admin_client_logged_in.post(
            "/admin/permissions/permissionrequest/",
            {"action": "expire_lapsed", "_selected_action": [lapsed.pk, still_valid.pk]},
            follow=True,
        )
    text = response.content.decode()
    assert "1 approvals expired." in text
    assert f"{still_valid.reference}: " in text and "cannot expire before then" in text
    assert PermissionRequest.objects.get(pk=lapsed.pk).status == "expired"
    assert PermissionRequest.objects.get(pk=still_valid.pk).status == "approved"
    event = AuditEvent.objects.get(request=lapsed, action="expire")
    assert event.actor is None and event.from_status == "approved"


def test_routing_rules_take_categories_as_ticks(admin_client_logged_in: Client) -> None:
    response = admin_client_logged_in.post(
        "/admin/permissions/routingrule/add/",
        {
            "name": "TV needs the countersigning officer",
            "is_active": "on",
            "priority": "10",
            "platform_categories": ["television", "radio"],
            "target": "countersigning_officer",
            "official_information": "",
            "capacity": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = RoutingRule.objects.get(name="TV needs the countersigning officer")
    assert rule.platform_categories == ["television", "radio"]
    assert rule.participations == []


def test_a_group_rule_without_a_group_is_refused_beside_the_field(
    admin_client_logged_in: Client,
) -> None:
    response = admin_client_logged_in.post(
        "/admin/permissions/routingrule/add/",
        {"name": "Media cell", "priority": "10", "target": "group"},
    )
    assert response.status_code == 200
    assert "Choose the group that will hold this step." in response.content.decode()
    assert not RoutingRule.objects.filter(name="Media cell").exists()


def test_failed_notifications_can_be_sent_again_from_the_admin(
    admin_client_logged_in: Client, servant: User
) -> None:
    from permissions import outbox
    from permissions.models import Notification

    (notification,) = outbox.notify(recipients=[servant], kind="receipt", key="admin-retry")
    Notification.objects.filter(pk=notification.pk).update(status="failed", attempts=8)
    response = admin_client_logged_in.post(
        "/admin/permissions/notification/",
        {"action": "retry", "_selected_action": [notification.pk]},
        follow=True,
    )
    assert "1 notifications will be sent again." in response.content.decode()
    notification.refresh_from_db()
    assert notification.status == "pending" and notification.attempts == 0
