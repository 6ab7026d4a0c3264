"""The demo tour with a second factor: with DEBUG on, the demo people who need one have
an authenticator app set up already, and `manage.py demo_code <login>` prints the code
it would show. With DEBUG off nobody is set up: a real account sets up its own."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import OutputWrapper
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import audit
from ..models import User
from ..states import Action
from . import devices, policy

# The logins seed_demo suggests starting with that need a code.
STARTERS = ("officer", "auditor", "admin")


def current_code(device: TOTPDevice) -> str:
    """The code the device's app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def pre_enrol(sender: Any, usernames: list[str], stdout: OutputWrapper, **kwargs: Any) -> None:
    if not settings.DEBUG:
        stdout.write(
            "DEBUG is off: no demo person has a second factor. Officers, auditors and the "
            "administrator set up an authenticator app at their first sign-in."
        )
        return
    apps: dict[str, TOTPDevice] = {}
    for user in User.objects.filter(username__in=usernames).order_by("username"):
        if not policy.required_for(user):
            continue
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            TOTPDevice.objects.filter(user=user).delete()
            device = TOTPDevice.objects.create(
                user=user, name=devices.APP_DEVICE_NAME, confirmed=True
            )
            audit.record(Action.SECOND_FACTOR_ENROLLED, actor=user, data={"set_up_by": "seed_demo"})
        apps[user.username] = device
    stdout.write(
        f"Officers, auditors and the administrator give a code after the password "
        f"({len(apps)} demo people have an app set up). For the current code of a login run:"
    )
    stdout.write("  python manage.py demo_code officer")
    stdout.write("or add its key to an authenticator app on a phone:")
    for username in STARTERS:
        if username in apps:
            stdout.write(f"  {username:<10} {devices.secret_of(apps[username])}")
