"""The portal's URLs, and a few that fail on purpose, for the error page tests."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from conduct_portal.urls import handler400  # noqa: F401 - the portal's own 400 view

# Text that must never reach the person who sees the error page.
SECRET = "internal detail 7f3a: table permissions_user, host db-primary"


def bad_request(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation(SECRET)


def refused(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(SECRET)


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET)


urlpatterns = [
    path("errors/bad-request/", bad_request),
    path("errors/refused/", refused),
    path("errors/broken/", broken),
    path("", include("conduct_portal.urls")),
]
