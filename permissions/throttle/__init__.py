"""Per-address rate limits on the doors an attacker knocks at: signing in, the second
factor's code and the public endpoints.

Each door names a group (its own counter: the portal's and the admin's sign-in share
"signin") and the setting that holds its rate ("20/m"), read on every request so that a
changed setting needs no restart of the decorated views. Only the named methods count:
showing the sign-in form costs nothing, posting it does. The address is the one the
audit trail records (AUDIT_CLIENT_IP_HEADER), so limits, lockouts and audit events all
speak of the same address.

django-ratelimit counts in the cache: Redis on the full stack, shared by every worker;
each process's memory on the embedded default. Past the limit the answer is 429 with
Retry-After, the seconds until the address's window turns over. A cache that cannot be
reached lets requests through (and logs it): the limit guards against floods, while the
lockout that guards passwords lives in the database, and a Redis outage must not stop
anyone signing in.

This is not the lockout (permissions/signin/lockout.py): that pauses one account from
one address after wrong passwords; this caps how often an address may knock at all.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import math
import re
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext, ngettext
from django_ratelimit.core import get_usage  # type: ignore[import-untyped, unused-ignore]
from redis.exceptions import RedisError

from ..audit import client_ip

logger = logging.getLogger(__name__)

ViewT = TypeVar("ViewT", bound=Callable[..., Any])

# What django-ratelimit understands: a count, a slash, an optional multiple and a unit.
RATE_PATTERN = re.compile(r"^\d+/\d*[smhd]$")
# Requests whose address cannot be read (an empty REMOTE_ADDR behind a Unix socket) share
# one counter rather than escaping the limit.
UNKNOWN_ADDRESS = "unknown"


def _address(group: str, request: HttpRequest) -> str:
    """The key django-ratelimit counts under (it passes the group too): the client's
    address, or for IPv6 its network (RATELIMIT_IPV6_MASK, /64 as django-ratelimit has
    it), since one household or office is given a whole /64 and may use any address in
    it."""
    address = client_ip(request)
    if address is None:
        return UNKNOWN_ADDRESS
    if ":" in address:
        mask = getattr(settings, "RATELIMIT_IPV6_MASK", 64)
        return str(ipaddress.ip_network(f"{address}/{mask}", strict=False).network_address)
    return address


def _rate(rate_setting: str) -> str:
    rate = getattr(settings, rate_setting, None)
    if not isinstance(rate, str) or not RATE_PATTERN.match(rate.strip()):
        raise ImproperlyConfigured(
            f"{rate_setting} must be a rate such as 20/m (a count per s, m, h or d), not {rate!r}."
        )
    return rate.strip()


def retry_after(time_left: int) -> int:
    """The seconds to wait, from django-ratelimit's `time_left`. Its window for an address
    ends at a whole second `window` (the epoch's periods, shifted by a jitter of the
    address's own) and `time_left` is `window - now`, both in whole seconds; the window
    still holds during its last second, so the count starts again one second later. A
    cache that failed gives -1: then a second is as good a guess as any."""
    return max(1, time_left + 1)


def wait_text(seconds: int) -> str:
    """A wait in words: seconds under a minute, whole minutes (rounded up) above."""
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def _wants_page(request: HttpRequest) -> bool:
    """A browser navigating (a form posted) gets the portal's page; htmx, which swaps
    fragments, and machines (a browser's policy reports) get a line of text."""
    if request.headers.get("HX-Request") == "true":
        return False
    return "text/html" in request.headers.get("Accept", "")


def too_many(request: HttpRequest, *, seconds: int, public: bool = False) -> HttpResponse:
    """The answer past the limit: 429, when to try again, and Retry-After. A `public`
    door is not about signing in: its page does not send people to sign in."""
    wait = wait_text(seconds)
    if _wants_page(request):
        response = render(
            request,
            "throttle/too_many.html",
            {"wait": wait, "public": public},
            status=429,
        )
    else:
        message = gettext("Too many attempts from your network. Try again in %(wait)s.") % {
            "wait": wait
        }
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response


def per_address(
    group: str,
    rate_setting: str,
    *,
    methods: tuple[str, ...] = ("POST",),
    public: bool = False,
) -> Callable[[ViewT], ViewT]:
    """Limit a view (a function, or an `as_view()` result) to the rate in
    `rate_setting` per client address, counting only `methods`, under `group`."""
    counted = [method.upper() for method in methods]

    def decorate(view: ViewT) -> ViewT:
        @functools.wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            rate = _rate(rate_setting)
            if request.method in counted:
                try:
                    usage = get_usage(
                        request,
                        group=group,
                        key=_address,
                        rate=rate,
                        method=counted,
                        increment=True,
                    )
                except (OSError, RedisError) as error:
                    logger.error("Rate limit %s not checked: the cache failed (%s)", group, error)
                    usage = None
                if usage is not None and usage["should_limit"]:
                    # One line per address and window, not one per refused request.
                    if usage["count"] == usage["limit"] + 1:
                        logger.warning(
                            "Rate limit %s (%s) reached by %s",
                            group,
                            rate,
                            _address(group, request),
                        )
                    return too_many(request, seconds=retry_after(usage["time_left"]), public=public)
            return cast(HttpResponse, view(request, *args, **kwargs))

        return cast(ViewT, limited)

    return decorate
