"""The two-minute tour: demo officers come with an app set up, with DEBUG on only."""

from __future__ import annotations

import io

import pyotp
import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from permissions.models import AuditEvent
from permissions.states import Action

pytestmark = pytest.mark.django_db


def seed(settings, *, debug: bool) -> str:  # type: ignore[no-untyped-def]
    settings.DEBUG = debug
    out = io.StringIO()
    call_command("seed_demo", *([] if debug else ["--force"]), stdout=out)
    return out.getvalue()


def test_with_debug_on_the_demo_officers_have_an_app_and_a_code_to_hand(settings) -> None:  # type: ignore[no-untyped-def]
    output = seed(settings, debug=True)
    enrolled = set(
        TOTPDevice.objects.filter(confirmed=True).values_list("user__username", flat=True)
    )
    assert {"officer", "auditor", "admin"} <= enrolled
    assert "servant" not in enrolled
    assert "python manage.py demo_code officer" in output
    officer_key = TOTPDevice.objects.get(user__username="officer")
    from permissions.twofactor.devices import secret_of

    assert secret_of(officer_key) in output

    code = io.StringIO()
    call_command("demo_code", "officer", stdout=code)
    assert pyotp.TOTP(secret_of(officer_key).replace(" ", "")).verify(code.getvalue().strip())
    # Seeding again sets up nothing more.
    before = AuditEvent.objects.filter(action=Action.SECOND_FACTOR_ENROLLED).count()
    seed(settings, debug=True)
    assert AuditEvent.objects.filter(action=Action.SECOND_FACTOR_ENROLLED).count() == before


def test_with_debug_off_nobody_is_set_up(settings) -> None:  # type: ignore[no-untyped-def]
    output = seed(settings, debug=False)
    assert not TOTPDevice.objects.exists()
    assert "no demo person has a second factor" in output
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("demo_code", "officer")
