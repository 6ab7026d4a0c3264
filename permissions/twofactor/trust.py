"""'Remember this browser': a signed cookie that spares a person the code for a few
hours on the browser where they last gave it.

It names the person and the device that was verified and is signed with the portal's
secret key, so it cannot be forged or moved to another account, and it is worthless once
that device is replaced or reset. It never replaces the password: it is read only after
the password was accepted in this session.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django_otp.models import Device

from ..models import User

COOKIE_NAME = "portal_trusted_browser"
SALT = "permissions.twofactor.trust"


def remember_hours() -> int:
    return int(settings.SECOND_FACTOR_REMEMBER_HOURS)


def remember(response: HttpResponse, device: Device) -> None:
    """Mark this browser trusted for the device's owner, for the configured hours."""
    hours = remember_hours()
    if hours <= 0:
        return
    value = signing.dumps({"user": device.user_id, "device": device.persistent_id}, salt=SALT)
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=hours * 60 * 60,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def forget(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE_NAME, samesite="Lax")


def trusted_device(request: HttpRequest, user: User) -> Device | None:
    """The device this browser was trusted with, if the cookie is genuine, younger than
    the configured hours, made for `user`, and the device is still theirs and confirmed."""
    hours = remember_hours()
    value = request.COOKIES.get(COOKIE_NAME)
    if hours <= 0 or not value:
        return None
    try:
        payload = signing.loads(value, salt=SALT, max_age=hours * 60 * 60)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(payload, dict) or payload.get("user") != user.pk:
        return None
    persistent_id = payload.get("device")
    if not isinstance(persistent_id, str):
        return None
    device = Device.from_persistent_id(persistent_id)
    if device is None or device.user_id != user.pk or not device.confirmed:
        return None
    return device
