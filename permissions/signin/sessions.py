"""Sessions that end: after a spell of inactivity, and at the end of their lifetime.

The session keeps two times: when the person signed in, and when the portal last saw
them. The last is written at most once a minute, so that an ordinary page does not write
the session on every request; a session may therefore end up to a minute sooner after
the last request than the idle limit says, and the countdown in the page
(static/js/session-timeout.js) starts from what the server holds, not from the request.

A session past either limit is ended before anything else uses it: one event on the audit
chain (a time-out, not a sign-out, so no LOGOUT beside it), then an answer that loses
nothing it can keep. A page asked for is a redirect to sign in and come back; a form sent
is a page saying that nothing was saved and how to get back to it, never a redirect that
drops what was typed; htmx is told to send the whole page to sign in.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.storage import default_storage
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django_htmx.http import HttpResponseClientRedirect

from .. import audit
from ..models import User
from ..states import Action

SIGNED_IN_AT = "signin.signed_in_at"
LAST_SEEN = "signin.last_seen"

# Writing the last-seen time costs a session save; once a minute is close enough for a
# limit counted in minutes.
LAST_SEEN_RESOLUTION = datetime.timedelta(minutes=1)
# How long before the idle limit the page warns, in whole minutes (shorter only when the
# limit itself is so short that two minutes' warning would come at once).
WARNING_MINUTES = 2

Reason = Literal["idle", "lifetime"]

# Pages whose form is signing in or out: posting them to a session that has just ended
# is not a lost form. A sign-in goes on and signs the person in afresh; a sign-out is
# answered like a page, since the person is signed out already.
SIGN_IN_URL_NAMES = frozenset({"login", "admin:login"})
SIGN_OUT_URL_NAMES = frozenset({"logout", "admin:logout"})


@dataclass(frozen=True)
class Remaining:
    """What is left of a session, as the server counts it, for the page's countdown."""

    idle_seconds: int
    lifetime_seconds: int
    idle_minutes: int
    max_hours: int
    warning_minutes: int

    @property
    def idle_limit_seconds(self) -> int:
        return self.idle_minutes * 60

    @property
    def warning_seconds(self) -> int:
        return self.warning_minutes * 60


def _now() -> int:
    return int(timezone.now().timestamp())


def _limits() -> tuple[int, int]:
    """The idle limit and the lifetime in seconds, read on every request so that a
    changed setting (and the tests' override) takes effect at once."""
    return settings.SESSION_IDLE_MINUTES * 60, settings.SESSION_MAX_HOURS * 60 * 60


def stamp_signed_in(session: SessionBase) -> None:
    """Start both clocks: at sign-in, or on first sight of a session that has none."""
    now = _now()
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN] = now


def mark_seen(session: SessionBase) -> None:
    """The person is here now (the page's "Stay signed in")."""
    session[LAST_SEEN] = _now()


def on_signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """user_logged_in: login() has given the session its new key; the lifetime runs from
    here. Without a request (a sign-in from code) there is no session to stamp."""
    if request is not None and hasattr(request, "session"):
        stamp_signed_in(request.session)


def expired(session: SessionBase, *, now: int) -> Reason | None:
    """Why the session is over, or None while it holds. The lifetime comes first: a
    session both idle and too old could not have been kept by any activity."""
    idle_limit, lifetime = _limits()
    if now - int(session[SIGNED_IN_AT]) > lifetime:
        return "lifetime"
    if now - int(session[LAST_SEEN]) > idle_limit:
        return "idle"
    return None


def remaining(session: SessionBase, *, now: int) -> Remaining:
    idle_limit, lifetime = _limits()
    idle_minutes = settings.SESSION_IDLE_MINUTES
    return Remaining(
        idle_seconds=max(0, idle_limit - (now - int(session[LAST_SEEN]))),
        lifetime_seconds=max(0, lifetime - (now - int(session[SIGNED_IN_AT]))),
        idle_minutes=idle_minutes,
        max_hours=settings.SESSION_MAX_HOURS,
        warning_minutes=min(WARNING_MINUTES, max(1, idle_minutes - 1)),
    )


def signed_out_message(reason: Reason) -> str:
    if reason == "lifetime":
        hours = settings.SESSION_MAX_HOURS
        return ngettext(
            "You were signed out because you had been signed in for %(count)d hour, the "
            "longest a session may last. Sign in again to continue.",
            "You were signed out because you had been signed in for %(count)d hours, the "
            "longest a session may last. Sign in again to continue.",
            hours,
        ) % {"count": hours}
    minutes = settings.SESSION_IDLE_MINUTES
    return ngettext(
        "You were signed out because you had not used the portal for %(count)d minute. "
        "Sign in again to continue.",
        "You were signed out because you had not used the portal for %(count)d minutes. "
        "Sign in again to continue.",
        minutes,
    ) % {"count": minutes}


def _url_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None


def _same_site_path(request: HttpRequest, url: str) -> str | None:
    """The path and query of `url` if it is a page of this portal, else None."""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    if not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _sign_in_again_url(next_path: str) -> str:
    """The sign-in page, coming back to `next_path` (the sign-in page itself keeps its
    own query, so that a `next` it already carried survives)."""
    login_path = reverse("login")
    if urlsplit(next_path).path == login_path:
        return next_path
    return redirect_to_login(next_path).url


def _form_page(request: HttpRequest) -> str:
    """The page the form was sent from, to come back to after signing in: the referring
    page of this portal (the form's own address may take POST only), else the address
    the form was sent to."""
    referrer = _same_site_path(request, request.META.get("HTTP_REFERER", ""))
    return referrer or request.path


def _with_message(request: HttpRequest, response: HttpResponse, text: str) -> HttpResponse:
    """Attach a message for the next page. MessageMiddleware comes after this one in the
    chain and has not run for an answer given here, so the storage is driven by hand."""
    storage = default_storage(request)
    storage.add(messages.INFO, text)
    storage.update(response)
    return response


def end_session(request: HttpRequest, reason: Reason) -> None:
    """Record the time-out and end the session. The session is flushed rather than
    passed to logout(): that would record a sign-out too, and nobody signed out."""
    audit.record(
        Action.SESSION_TIMED_OUT,
        actor=cast(User, request.user),
        data={"reason": reason},
        origin=audit.origin_of(request),
    )
    request.session.flush()
    request.user = AnonymousUser()


def ended_response(request: HttpRequest, reason: Reason) -> HttpResponse | None:
    """The answer to a request that arrived after its session ended, or None to let it
    go on (a sign-in form, which signs the person in afresh)."""
    text = signed_out_message(reason)
    if request.headers.get("HX-Request") == "true":
        # A fragment's address is no page to come back to; the page that asked for it is.
        page = _same_site_path(request, request.headers.get("HX-Current-URL", ""))
        target = _sign_in_again_url(page or request.path)
        return _with_message(request, HttpResponseClientRedirect(target), text)
    if request.method in ("GET", "HEAD"):
        target = _sign_in_again_url(request.get_full_path())
        return _with_message(request, HttpResponseRedirect(target), text)
    view_name = _url_name(request)
    if view_name in SIGN_OUT_URL_NAMES:
        return _with_message(request, HttpResponseRedirect(reverse("login")), text)
    if view_name in SIGN_IN_URL_NAMES:
        return None
    response = render(
        request,
        "signin/session_ended.html",
        {
            "reason": reason,
            "idle_minutes": settings.SESSION_IDLE_MINUTES,
            "max_hours": settings.SESSION_MAX_HOURS,
            "sign_in_url": _sign_in_again_url(_form_page(request)),
        },
        # 401, not 200: what was sent was not carried out, and a 200 would tell the logs
        # and monitoring that it was. HTTP asks for a challenge with every 401; the only
        # way in is the sign-in form's cookie (the scheme of draft-broyer-http-cookie-auth).
        status=401,
    )
    response["WWW-Authenticate"] = (
        f'Cookie realm="Conduct Portal", form-action="{reverse("login")}"'
    )
    return response


class SessionLimitsMiddleware:
    """Ends a signed-in session idle longer than SESSION_IDLE_MINUTES or older than
    SESSION_MAX_HOURS; otherwise keeps its last-seen time and tells the page how long it
    has left (`request.session_remaining`, read by templates/signin/session_warning.html).
    Anonymous visitors, and requests without a session, pass untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        session = request.session
        now = _now()
        if SIGNED_IN_AT not in session or LAST_SEEN not in session:
            # A session from before these limits, or one stamped by no sign-in.
            stamp_signed_in(session)
        reason = expired(session, now=now)
        if reason is not None:
            end_session(request, reason)
            response = ended_response(request, reason)
            if response is not None:
                return response
            return self.get_response(request)
        if now - int(session[LAST_SEEN]) >= LAST_SEEN_RESOLUTION.total_seconds():
            session[LAST_SEEN] = now
        request.session_remaining = remaining(session, now=now)  # type: ignore[attr-defined]
        return self.get_response(request)
