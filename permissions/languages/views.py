"""Choosing the portal's language: remembered in a cookie for anyone, and on the
person's profile when signed in, so mail comes in it too."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from permissions.models import User


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)


def _back(request: HttpRequest) -> str:
    """Back to the page the switcher was on (the browser's Referer, sent for the
    portal's own pages), if it is one of ours; else the home page."""
    came_from = request.META.get("HTTP_REFERER", "")
    if came_from and url_has_allowed_host_and_scheme(
        came_from, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return came_from
    return reverse("home")


@csrf_exempt
@require_POST
def choose(request: HttpRequest) -> HttpResponse:
    """Visitors switch without a CSRF token, so that the public pages (the letter check)
    set no cookie of their own until a language is chosen: all a forged post could do is
    change a visitor's language. A person signed in changes their profile, so for them
    Django's CSRF check applies as everywhere else."""
    if request.user.is_authenticated:
        return csrf_protect(_choose)(request)
    return _choose(request)


def _choose(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    if not form.is_valid():
        # A language the portal does not speak: stay on the page, as it was.
        return HttpResponseRedirect(_back(request))
    language = form.cleaned_data["language"]
    response = HttpResponseRedirect(_back(request))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=cast(Any, settings.LANGUAGE_COOKIE_SAMESITE),
    )
    if request.user.is_authenticated:
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response
