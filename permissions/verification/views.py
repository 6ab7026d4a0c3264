"""The public check of a permission letter: anyone, signed in or not, who holds a letter
opens its QR code's URL or types its short code, and reads whether the permission stands.

The page shows that letter's standing and what the letter itself prints (name,
designation, platform, outlet, dates, reference), never the topic, what will be said,
the files or any other request. It is read fresh from the database on every visit and
stored by no cache, so a revocation or an expiry shows at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from permissions import integrity
from permissions.audit import origin_of
from permissions.models import User
from permissions.throttle import per_address

from . import selectors
from .forms import ShortCodeForm
from .models import Token

# Every request counts towards the limit, whatever its method: looking a letter up is
# what the limit is about, and the code form is sent by GET.
EVERY_METHOD = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


def _public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Headers on every answer of a public page, the refusals past the limit included:
    never stored (a revocation must show at once, and a shared computer must not keep
    someone's letter), never indexed, and the URL, which holds the token, never sent on
    as a Referer."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


def _person(request: HttpRequest) -> User | None:
    """Who checked, if signed in: the alert names them; anyone else is an address."""
    return request.user if request.user.is_authenticated else None


def _result(request: HttpRequest, token: Token) -> HttpResponse:
    permission = token.request
    # Without the files' bytes: the page shows no file, and the rows of the files (their
    # SHA-256, names and sizes) are in the content digest checked here already. Hashing
    # every byte of every attachment on each anonymous visit would let anyone make the
    # server read megabytes 30 times a minute; the bytes are checked on every download
    # and by the nightly sweep, which raise a changed file to the auditors.
    check = integrity.check(
        permission,
        noticed_by=integrity.Noticed.VERIFICATION,
        files=False,
        actor=_person(request),
        origin=origin_of(request),
    )
    return render(
        request,
        "verification/result.html",
        {
            "permission": permission,
            "standing": check.standing,
            "contact": integrity.contact(),
        },
    )


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(
        request, "verification/not_found.html", {"contact": integrity.contact()}, status=404
    )


@_public
@per_address("verify", "RATELIMIT_VERIFY", methods=EVERY_METHOD, public=True)
@require_http_methods(["GET", "HEAD"])
def letter(request: HttpRequest, token: str) -> HttpResponse:
    """The page a letter's QR code opens."""
    found = selectors.token_by_token(token)
    if found is None:
        return _not_found(request)
    return _result(request, found)


@_public
@per_address("verify", "RATELIMIT_VERIFY", methods=EVERY_METHOD, public=True)
@require_http_methods(["GET", "HEAD"])
def short_code(request: HttpRequest) -> HttpResponse:
    """The form for the code printed on a letter, and its answer.

    Sent by GET: it changes nothing for anyone (the integrity alert it may raise is the
    auditors', raised once whoever asks), so there is no forgery to guard against, and a
    visitor with no session needs no CSRF cookie and token, which a letter's holder
    with cookies blocked would be refused for, and which a cached copy of the page would
    go stale on. The answer is the same page the QR code opens.
    """
    if "code" not in request.GET:
        return render(request, "verification/code.html", {"form": ShortCodeForm()})
    form = ShortCodeForm(request.GET)
    if not form.is_valid():
        return render(request, "verification/code.html", {"form": form})
    found = selectors.token_by_code(form.cleaned_data["code"])
    if found is None:
        form.add_error(
            "code",
            _(
                "No permission letter issued by the portal has this code. Check it against "
                "the letter and enter it again."
            ),
        )
        return render(
            request,
            "verification/code.html",
            {"form": form, "unknown": True, "contact": integrity.contact()},
            status=404,
        )
    return _result(request, found)
