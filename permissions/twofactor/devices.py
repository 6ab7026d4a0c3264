"""Setting up, using and resetting a person's second factor.

A second factor is an authenticator app (a TOTP device of django-otp) with ten one-time
backup codes beside it (a static device). Every use that matters goes on the audit chain:
setting it up, each code accepted or refused, a backup code spent, new backup codes, and
an administrator's reset, of which the person is told by e-mail through the outbox.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.models import Device, VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import audit, outbox
from ..models import User
from ..models.notifications import NotificationKind
from ..states import Action
from . import policy

APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
# A TOTP code is six digits; a backup code is eight letters and digits (django-otp's
# random_token), shown in two groups of four.
TOTP_DIGITS = 6


class Method:
    APP = "authenticator app"
    BACKUP_CODE = "backup code"
    REMEMBERED = "remembered browser"
    ENROLMENT = "enrolment"


def normalise(code: str) -> str:
    """What a person typed, as the devices compare it: spaces and dashes a phone app or
    the printed codes put in are dropped, letters lower-cased."""
    return "".join(code.split()).replace("-", "").lower()


def app_devices(user: User) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.devices_for_user(user, confirmed=True))


def backup_device(user: User) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).first()


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- setting up ---------------------------------------------------------------------------


def enrolment_device(user: User) -> TOTPDevice:
    """The app being set up: one unconfirmed device per person, kept until confirmed so
    that reloading the page does not change the secret already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def secret_of(device: TOTPDevice) -> str:
    """The secret as a phone app asks for it when typed in by hand: base32, in groups of
    four."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.SECOND_FACTOR_BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return [f"{code[:4]}-{code[4:]}" for code in codes]


@dataclass(frozen=True)
class Enrolment:
    # The new backup codes, to be shown once; None when the code was not accepted.
    codes: list[str] | None
    # Set when django-otp refuses to check any code for a while after failures.
    paused_until: datetime.datetime | None = None


def confirm_enrolment(request: HttpRequest, code: str) -> Enrolment:
    """Confirm the app being set up with a code it shows. On success the app replaces any
    earlier one, ten new backup codes replace any earlier ones (returned, to be shown
    once), this session counts as verified with a new key, and the chain records it."""
    user: User = request.user  # type: ignore[assignment]
    code = normalise(code)
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None:
            return Enrolment(codes=None)
        paused = _paused_until([device])
        if paused is not None:
            return Enrolment(codes=None, paused_until=paused)
        if not (code.isdigit() and device.verify_token(code)):
            return Enrolment(codes=None, paused_until=_paused_until([device]))
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        replaced = TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()[0]
        codes = _new_backup_codes(user)
        audit.record(
            Action.SECOND_FACTOR_ENROLLED,
            actor=user,
            data={"replaced_earlier_app": bool(replaced)},
            origin=audit.origin_of(request),
        )
    _verified(request, device)
    return Enrolment(codes=codes)


def new_backup_codes(request: HttpRequest) -> list[str]:
    user: User = request.user  # type: ignore[assignment]
    with transaction.atomic():
        codes = _new_backup_codes(user)
        audit.record(
            Action.SECOND_FACTOR_BACKUP_RENEWED, actor=user, origin=audit.origin_of(request)
        )
    return codes


# --- signing in with it -------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    device: Device | None
    # Set when django-otp refuses to check any code for a while after failures.
    paused_until: datetime.datetime | None = None

    @property
    def accepted(self) -> bool:
        return self.device is not None


def _paused_until(devices: list[Device]) -> datetime.datetime | None:
    for device in devices:
        allowed, details = device.verify_is_allowed()
        if not allowed and details and details.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
            until = details.get("locked_until")
            return until if isinstance(until, datetime.datetime) else timezone.now()
    return None


def _verified(request: HttpRequest, device: Device) -> None:
    """This session passed the second factor: remember the device in it, and give it a
    new key so that a key seen before this point is worth nothing."""
    otp_login(request, device)
    request.session[policy.HAS_DEVICE_SESSION_KEY] = True
    request.session.cycle_key()


def check_code(request: HttpRequest, code: str) -> Outcome:
    """Check a code from the app, or a backup code, for the signed-in person; on success
    the session is verified. Each answer is on the chain."""
    user: User = request.user  # type: ignore[assignment]
    origin = audit.origin_of(request)
    code = normalise(code)
    is_app_code = code.isdigit() and len(code) == TOTP_DIGITS
    backup = backup_device(user)
    devices: list[Device] = (
        list(app_devices(user)) if is_app_code else ([backup] if backup is not None else [])
    )
    paused = _paused_until(devices)
    matched: Device | None = None
    if paused is None:
        for device in devices:
            matched = verify_token(user, device.persistent_id, code)
            if matched is not None:
                break
    if matched is None:
        audit.record(
            Action.SECOND_FACTOR_FAILED,
            actor=user,
            data={
                "method": Method.APP if is_app_code else Method.BACKUP_CODE,
                "paused": paused is not None,
            },
            origin=origin,
        )
        return Outcome(device=None, paused_until=paused or _paused_until(devices))
    method = Method.BACKUP_CODE if isinstance(matched, StaticDevice) else Method.APP
    with transaction.atomic():
        audit.record(
            Action.SECOND_FACTOR_VERIFIED, actor=user, data={"method": method}, origin=origin
        )
        if isinstance(matched, StaticDevice):
            audit.record(
                Action.SECOND_FACTOR_BACKUP_USED,
                actor=user,
                data={"left": matched.token_set.count()},
                origin=origin,
            )
    _verified(request, matched)
    return Outcome(device=matched)


def accept_remembered(request: HttpRequest, device: Device) -> None:
    """A browser trusted earlier (permissions/twofactor/trust.py) stands in for the code."""
    audit.record(
        Action.SECOND_FACTOR_VERIFIED,
        actor=request.user,  # type: ignore[arg-type]
        data={"method": Method.REMEMBERED},
        origin=audit.origin_of(request),
    )
    _verified(request, device)


# --- an administrator's reset -------------------------------------------------------------


def reset(person: User, *, by: User, reason: str, request: HttpRequest | None = None) -> int:
    """Remove a person's app and backup codes after they lost their phone. They set up
    a new app at their next sign-in (sessions verified with the old one stop counting at
    once: their device is gone). The chain records who did it and why; the person is told
    by e-mail, whatever their e-mail choices. Returns how many devices were removed."""
    person_model = get_user_model()
    with transaction.atomic():
        person = person_model._default_manager.select_for_update().get(pk=person.pk)
        removed = (
            TOTPDevice.objects.filter(user=person).count()
            + StaticDevice.objects.filter(user=person).count()
        )
        TOTPDevice.objects.filter(user=person).delete()
        StaticDevice.objects.filter(user=person).delete()
        event = audit.record(
            Action.SECOND_FACTOR_RESET,
            actor=by,
            comment=reason,
            data={"person": person.get_username(), "person_id": person.pk},
            origin=audit.origin_of(request),
        )
        outbox.notify(
            recipients=[person],
            kind=NotificationKind.SECOND_FACTOR_RESET,
            key=f"audit-{event.pk}",
            context={"reason": reason, "reset_by": by, "reset_at": event.created_at},
        )
    return removed
