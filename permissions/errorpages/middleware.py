"""Middleware of the error pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class MethodNotAllowedPageMiddleware:
    """Give a bare 405 the portal's page. `require_POST`, `require_http_methods` and
    class-based views answer a method they refuse with an empty body, and Django has no
    405 handler to set; a 405 that already carries a body is left as it is. The page
    keeps what the view said of its answer (Allow, and the headers a public page sets so
    that it is not stored, indexed or passed on as a Referer)."""

    KEPT_HEADERS = ("Allow", "Cache-Control", "Expires", "X-Robots-Tag", "Referrer-Policy")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.streaming or response.content:
            return response
        page = render(request, "405.html", status=405)
        for header in self.KEPT_HEADERS:
            if response.has_header(header):
                page[header] = response[header]
        return page
