"""Who must give a second factor: everyone who can decide or audit, and anyone who chose
to set one up."""

from __future__ import annotations

from django.http import HttpRequest
from django_otp import user_has_device

from ..models import User
from ..roles import Roles, request_roles, roles_of

# Kept in the session once looked up, so a servant's pages cost no query for it. Only
# enrolment here and an administrator's reset change it; both replace the session's
# verification anyway.
HAS_DEVICE_SESSION_KEY = "second_factor_has_device"


def on_login(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    """Look up at sign-in whether the person has a second factor, so that no page after
    it needs to."""
    if request is not None and hasattr(request, "session"):
        request.session[HAS_DEVICE_SESSION_KEY] = user_has_device(user)


def required_by_role(roles: Roles) -> bool:
    """Reporting and countersigning officers, members of the groups routing sends
    requests to, delegates while a delegation runs (all of them `officer`), auditors and
    staff."""
    return roles.officer or roles.auditor or roles.admin


def required_for(user: User) -> bool:
    return required_by_role(roles_of(user)) or user_has_device(user)


def required(request: HttpRequest) -> bool:
    """Whether the signed-in person must give a second factor before anything else."""
    roles = request_roles(request)
    if roles is None:
        return False
    if required_by_role(roles):
        return True
    has_device = request.session.get(HAS_DEVICE_SESSION_KEY)
    if has_device is None:
        has_device = user_has_device(request.user)
        request.session[HAS_DEVICE_SESSION_KEY] = has_device
    return bool(has_device)
