"""Security events for the audit trail: signing in and out, refused sign-ins, refused
access to a request, and changes made in the admin.

Each is one event on the chain with the client's address and user agent. Nothing that
could let someone sign in (a password, a token) is ever written: of the credentials of
a refused sign-in only the username is kept.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest

from . import audit
from .models import AuditEvent, PermissionRequest, User
from .states import Action

# As long as a username may be (AbstractUser.username).
USERNAME_MAX_LENGTH = 150
PATH_MAX_LENGTH = 200
OBJECT_REPR_MAX_LENGTH = 200

# Every page about one request sits under this route; a refusal there is an attempt to
# open a request the person may not see (or may not act on).
REQUEST_PAGE_ROUTE = "requests/<int:pk>/"


def _signed_in_user(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return cast(User, user)


# --- signing in and out ------------------------------------------------------------------


def on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit.record(Action.LOGIN, actor=user, origin=audit.origin_of(request))


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    user_model = get_user_model()
    attempted = credentials.get(user_model.USERNAME_FIELD)
    username = attempted[:USERNAME_MAX_LENGTH] if isinstance(attempted, str) else ""
    # The account that was tried, so that the auditor sees the attempts on one person.
    account = (
        user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
        if username
        else None
    )
    audit.record(
        Action.LOGIN_FAILED,
        actor=account,
        data={"username": username},
        origin=audit.origin_of(request),
    )


def on_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    # No user: the session had already expired, so signing out ended nothing. Recording
    # it would also let anyone, signed in or not, append to the chain at will.
    if user is None:
        return
    audit.record(Action.LOGOUT, actor=user, origin=audit.origin_of(request))


def connect_signals() -> None:
    """Called once from PermissionsConfig.ready(); the uids keep it to one receiver each."""
    user_logged_in.connect(on_login, dispatch_uid="permissions.security.login")
    user_login_failed.connect(on_login_failed, dispatch_uid="permissions.security.login_failed")
    user_logged_out.connect(on_logout, dispatch_uid="permissions.security.logout")


# --- refused access ----------------------------------------------------------------------


class Refused(Http404):
    """The 404 of a page that exists but is not for this person (the audit console for
    anyone but an auditor): answered like any 404, recorded as a refusal wherever it is
    raised."""


def _requested_request_pk(request: HttpRequest) -> int | None:
    """The pk of the request a request page was asked for, or None for any other page."""
    match = request.resolver_match
    if match is None or not match.route.startswith(REQUEST_PAGE_ROUTE):
        return None
    pk = match.kwargs.get("pk")
    return pk if isinstance(pk, int) else None


def access_refused(request: HttpRequest, exception: Exception) -> AuditEvent | None:
    """Record a signed-in person's refused attempt, if it was one.

    A 403 is always a refusal. A 404 is one only on a request page (the portal answers
    404, never 403, to anyone who may not see a request, so that it leaks nothing),
    including an id that does not exist, since trying ids is how requests are looked
    for. A 404 anywhere else (an address that names no page, someone else's
    notification) is not an attempt on a request and is not recorded. The request,
    when it exists, is linked so that the attempt shows on its timeline for the auditor;
    the person refused still sees only the 404."""
    if not isinstance(exception, Http404 | PermissionDenied):
        return None
    user = _signed_in_user(request)
    if user is None:  # anonymous visitors are sent to sign in, not refused
        return None
    pk = _requested_request_pk(request)
    if isinstance(exception, Http404) and pk is None and not isinstance(exception, Refused):
        return None
    target = PermissionRequest.objects.only("pk").filter(pk=pk).first() if pk is not None else None
    return audit.record(
        Action.ACCESS_DENIED,
        actor=user,
        request=target,
        data={
            "path": request.path[:PATH_MAX_LENGTH],
            "method": request.method,
            "status": 403 if isinstance(exception, PermissionDenied) else 404,
            "request_id": target.pk if target is not None else None,
        },
        origin=audit.origin_of(request),
    )


# --- the admin ---------------------------------------------------------------------------


def _change_message(changes: Any) -> Any:
    """The admin's change message as a list: the admin passes a list, other callers of
    log_change() may pass it already serialised, or as plain text."""
    if changes is None or changes == "":
        return []
    if isinstance(changes, str):
        try:
            return json.loads(changes)
        except ValueError:
            return changes
    return changes


def admin_changed(
    action: Action,
    *,
    request: HttpRequest,
    obj: Model,
    changes: Any = None,
    relations: dict[str, dict[str, list[str]]] | None = None,
) -> AuditEvent:
    """One object added, changed or deleted in the admin, inside the admin's transaction.

    `changes` is the change message the admin builds (a list of what was added or which
    fields changed, never their values); `relations` names the groups or permissions
    given and taken away, which the change message leaves out."""
    data: dict[str, Any] = {
        "model": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "object": str(obj)[:OBJECT_REPR_MAX_LENGTH],
        "changes": _change_message(changes),
    }
    if relations:
        data["relations"] = relations
    return audit.record(
        action, actor=_signed_in_user(request), data=data, origin=audit.origin_of(request)
    )
