"""Pages: authorise, read through selectors, render."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from . import selectors
from .roles import Roles, request_roles


def _roles(request: HttpRequest) -> Roles:
    roles = request_roles(request)
    if roles is None:  # only reachable behind login_required
        raise PermissionDenied
    return roles


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each person lands on the page their role uses most."""
    return redirect(_roles(request).home_url_name)


@login_required
@require_GET
def my_requests(request: HttpRequest) -> HttpResponse:
    return render(request, "permissions/my_requests.html")


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "permissions/inbox.html")


@login_required
@require_GET
def audit_console(request: HttpRequest) -> HttpResponse:
    if not _roles(request).auditor:
        raise Http404
    return render(request, "permissions/audit_console.html")


@login_required
@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    person = selectors.person_profile(user_id=cast(int, request.user.pk))
    return render(request, "permissions/profile.html", {"person": person})
