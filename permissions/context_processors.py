from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import selectors
from .roles import request_roles


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person's roles, so the navigation shows only what they may use, and
    the number of requests awaiting them (counted only if a page shows it)."""
    roles = request_roles(request)
    context: dict[str, Any] = {"roles": roles}
    if roles is not None:
        context["unread_count"] = roles.unread_notifications
    if roles is not None and roles.officer:
        user = request.user
        context["awaiting_count"] = SimpleLazyObject(
            lambda: selectors.awaiting_count(officer=user)  # type: ignore[arg-type]
        )
    return context
