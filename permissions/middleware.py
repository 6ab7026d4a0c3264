"""Middleware of the portal."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import security


class AccessRefusedAuditMiddleware:
    """Audit the 404s and 403s that views raise for signed-in people (security.py
    decides which are refusals). It only records: the response is Django's usual one,
    so a refused person cannot tell a request that exists from one that does not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        security.access_refused(request, exception)
