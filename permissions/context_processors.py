from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .roles import request_roles


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person's roles, so the navigation shows only what they may use."""
    return {"roles": request_roles(request)}
