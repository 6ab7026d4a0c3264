"""Lockout after repeated failed sign-ins, by django-axes, with the portal's two limits.

A person is locked out after SIGNIN_FAILURE_LIMIT failures for one account from one
address within the cool-off, and an address after SIGNIN_ADDRESS_FAILURE_LIMIT failures
over any accounts (password spraying). An account is never locked by its username alone:
anyone could then lock an officer out by typing wrong passwords for them from anywhere.
While locked, even the right password is refused; the lock lifts after the cool-off, or
when an administrator lifts it. Locking and lifting are events on the audit chain, beside
the failed sign-ins themselves (permissions/security.py).
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .. import audit
from ..audit import Origin
from ..models import User
from ..states import Action

# AXES_LOCKOUT_PARAMETERS, in this order: the pair first, the address alone second.
LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
USERNAME_MAX_LENGTH = 150


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)


class PortalLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a second, higher limit for an address alone."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """The failures that count toward a lock: the account-and-address pair's, raised
        to the lock's limit once the address alone has passed its own."""
        pair, address = self.get_user_attempts(request, credentials)
        failures = _failures(pair)
        if _failures(address) >= settings.SIGNIN_ADDRESS_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """After a successful sign-in, forget that account's failures from that address
        only: someone spraying passwords must not clear their address's count by signing
        in to an account of their own."""
        pair = self.filter_user_attempts(request, credentials)[0]
        count, _ = pair.delete()
        return count


def locked_until(*, ip_address: str | None) -> datetime.datetime | None:
    """When signing in from this address is sure to be open again: a cool-off after the
    address's latest failure, which is never earlier than the latest for any one account
    from it (so never before the lock lifts)."""
    cool_off = get_cool_off()
    if cool_off is None or ip_address is None:
        return None
    latest = AccessAttempt.objects.filter(ip_address=ip_address).aggregate(
        latest=Max("attempt_time")
    )["latest"]
    return latest + cool_off if latest is not None else None


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page a locked-out person sees instead of being signed in: 429, what happened,
    when to try again (also as Retry-After), and whom to ask."""
    until = locked_until(ip_address=getattr(request, "axes_ip_address", None))
    response = render(
        request,
        "signin/locked_out.html",
        {"until": timezone.localtime(until) if until else None},
        status=429,
    )
    if until is not None:
        seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
        response["Retry-After"] = str(seconds)
    return response


def on_locked_out(
    sender: Any,
    request: HttpRequest | None,
    username: str | None,
    ip_address: str | None,
    **kwargs: Any,
) -> None:
    """Record a lock on the chain when it begins. Axes also sends this signal for every
    attempt refused while the lock holds; those are already recorded as refused sign-ins."""
    if request is None or getattr(request, "axes_failures_since_start", None) is None:
        return
    name = (username or "")[:USERNAME_MAX_LENGTH]
    audit.record(
        Action.LOGIN_LOCKED,
        actor=User.objects.filter(username=name).first() if name else None,
        data={
            "username": name,
            "address": ip_address,
            "failures": getattr(request, "axes_failures_since_start", None),
            "cool_off_minutes": settings.SIGNIN_COOLOFF_MINUTES,
        },
        origin=audit.origin_of(request),
    )


def lock_lift(*, attempt: AccessAttempt, by: User, origin: Origin) -> int:
    """Lift the lock on an account from an address (the admin's "unlock" action): forget
    the failures of that pair, and record who lifted it."""
    count, _ = AccessAttempt.objects.filter(
        username=attempt.username, ip_address=attempt.ip_address
    ).delete()
    audit.record(
        Action.LOGIN_UNLOCKED,
        actor=by,
        data={
            "username": attempt.username or "",
            "address": attempt.ip_address,
            "attempts_removed": count,
        },
        origin=origin,
    )
    return count
