"""Error views that Django's defaults do not cover well enough."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template import loader
from django.views import defaults


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400, except for a request refused before authentication ran (an unknown
    host is refused by CommonMiddleware): it has no user for the layout's navigation,
    so its page is drawn as for a signed-out visitor instead of failing into a 500."""
    if not hasattr(request, "user"):
        return HttpResponseBadRequest(loader.render_to_string("400.html"))
    return defaults.bad_request(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token. Django's own view renders its template
    without the request, so the page would lose the navigation of a signed-in person;
    this one keeps it. The reason stays in Django's log, not on the page."""
    return render(request, "403_csrf.html", status=403)
