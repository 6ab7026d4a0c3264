"""A lost phone: an administrator resets the second factor, with a reason, on the chain
and by e-mail to the person."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from permissions.models import AuditEvent, Notification, User
from permissions.states import Action
from tests.helpers import fresh_backup_code, give_app, sign_in

pytestmark = pytest.mark.django_db

LIST = "/admin/otp_totp/totpdevice/"


@pytest.fixture
def officer(servant: User, reporting_officer: User) -> User:
    give_app(reporting_officer)
    fresh_backup_code(reporting_officer.username)
    return reporting_officer


def reset(admin: Client, device: TOTPDevice, reason: str) -> str:
    response = admin.post(
        LIST,
        {
            "action": "reset_second_factor",
            "_selected_action": [device.pk],
            "confirm": "yes",
            "reason": reason,
        },
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_admin_asks_for_a_reason_first(admin_client_logged_in: Client, officer: User) -> None:
    device = TOTPDevice.objects.get(user=officer)
    page = admin_client_logged_in.post(
        LIST, {"action": "reset_second_factor", "_selected_action": [device.pk]}
    )
    html = page.content.decode()
    assert "Reason for the reset" in html and str(officer) in html
    assert TOTPDevice.objects.filter(user=officer).exists()

    html = reset(admin_client_logged_in, device, "lost")
    assert "Give the reason in at least 10 characters." in html
    assert TOTPDevice.objects.filter(user=officer).exists()
    assert not AuditEvent.objects.filter(action=Action.SECOND_FACTOR_RESET).exists()


def test_a_reset_removes_the_app_and_codes_and_is_recorded_and_told(
    admin_client_logged_in: Client, officer: User, superuser: User
) -> None:
    officer_browser = sign_in(Client(), officer)
    assert officer_browser.get("/inbox/").status_code == 200

    reason = "Phone stolen on 30 Nov; identity confirmed by the Section Officer in person."
    html = reset(admin_client_logged_in, TOTPDevice.objects.get(user=officer), reason)
    assert "was reset" in html

    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticDevice.objects.filter(user=officer).exists()
    [event] = AuditEvent.objects.filter(action=Action.SECOND_FACTOR_RESET)
    assert event.actor == superuser
    assert event.comment == reason
    assert event.data == {"person": officer.username, "person_id": officer.pk}
    [told] = Notification.objects.filter(recipient=officer, kind="second_factor_reset")
    assert told.status == "pending"  # e-mailed whatever the person chose
    assert reason in told.body_text and "reset your second factor" in told.body_text

    # The session verified with the old app no longer counts: set up a new one.
    assert officer_browser.get("/inbox/")["Location"].startswith("/second-factor/set-up/")


def test_the_apps_secrets_are_not_shown_in_the_admin(
    admin_client_logged_in: Client, officer: User
) -> None:
    device = TOTPDevice.objects.get(user=officer)
    page = admin_client_logged_in.get(f"{LIST}{device.pk}/change/").content.decode()
    assert device.key not in page
    assert admin_client_logged_in.get("/admin/otp_static/staticdevice/").status_code == 404
    assert admin_client_logged_in.get(f"{LIST}{device.pk}/delete/").status_code == 403


def test_staff_without_the_permission_cannot_reset(officer: User) -> None:
    from tests.factories import UserFactory

    clerk = UserFactory(username="clerk", is_staff=True, bps=None)
    client = sign_in(Client(), clerk)
    device = TOTPDevice.objects.get(user=officer)
    client.post(
        LIST,
        {
            "action": "reset_second_factor",
            "_selected_action": [device.pk],
            "confirm": "yes",
            "reason": "x" * 20,
        },
    )
    assert TOTPDevice.objects.filter(user=officer).exists()
