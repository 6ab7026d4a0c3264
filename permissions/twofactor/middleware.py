"""Keeps someone who must give a second factor to enrolment and the code form.

After the password, an officer, auditor or administrator (or a servant who set up a
second factor) reaches nothing but the pages that set up or take the code, signing out,
and the endpoints a page of those needs, until this session has given a code. A browser
remembered earlier stands in for the code (permissions/twofactor/trust.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from . import devices, policy, trust

# Reachable before the code: the pages of the second factor itself, signing out, and
# what any page may call in the background (violation reports, keeping a session).
OPEN_URL_NAMES = frozenset(
    {
        "second-factor-enrol",
        "second-factor-qr",
        "second-factor-verify",
        "second-factor-backup-codes",
        "logout",
        "admin:logout",
        "csp-report",
        # The public check of a letter: open to anyone, signed in halfway or not at all.
        "verify-letter",
        "verify-code",
        # Help and whom to ask: someone stuck at setting up their app must reach them.
        "help",
        "help-contact",
        # The language the pages are in, the second factor's among them.
        "language",
    }
)
OPEN_ROUTE_PREFIXES = ("session/",)


def _is_open(request: HttpRequest) -> bool:
    match = request.resolver_match
    if match is None:
        return False
    return match.view_name in OPEN_URL_NAMES or match.route.startswith(OPEN_ROUTE_PREFIXES)


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if not request.user.is_authenticated or _is_open(request):
            return None
        user = request.user
        if user.is_verified() or not policy.required(request):  # type: ignore[attr-defined]
            return None
        remembered = trust.trusted_device(request, user)
        if remembered is not None:
            devices.accept_remembered(request, remembered)
            return None
        name = "second-factor-verify" if devices.has_second_factor(user) else "second-factor-enrol"
        url = reverse(name)
        if request.method in ("GET", "HEAD"):
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
