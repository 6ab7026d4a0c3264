"""The pages of the second factor: setting up the app, giving a code after the password,
the backup codes shown once, and the person's own overview."""

from __future__ import annotations

import datetime
import io
import math

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from ..models import User
from ..throttle import per_address
from . import devices, policy, trust
from .forms import ConfirmForm, EnrolForm, VerifyForm

NEW_CODES_SESSION_KEY = "second_factor_new_codes"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _next_url(request: HttpRequest) -> str:
    """Where to go once done: the page the person was on its way to, if it is the
    portal's own, else their home page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


def _may_enrol(request: HttpRequest) -> bool:
    """Setting up an app is open to someone without one, or to a session that has
    already given a code: never a way round the app someone already has."""
    return request.user.is_verified() or not devices.has_second_factor(_user(request))  # type: ignore[union-attr]


def _paused_message(until: datetime.datetime) -> str:
    """After a wrong code django-otp checks no code for a while, longer after each."""
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    return ngettext(
        "That code did not match, and codes are not checked for %(seconds)d second after "
        "a wrong one. Wait, then enter the code the app shows at that moment.",
        "Too many wrong codes: codes are not checked for %(seconds)d seconds. Wait, then "
        "enter the code the app shows at that moment.",
        seconds,
    ) % {"seconds": seconds}


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@per_address("second-factor", "RATELIMIT_SECOND_FACTOR")
def enrol(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not _may_enrol(request):
        return redirect(f"{reverse('second-factor-verify')}?next={_next_url(request)}")
    device = devices.enrolment_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolment = devices.confirm_enrolment(request, form.cleaned_data["code"])
        if enrolment.codes is not None:
            request.session[NEW_CODES_SESSION_KEY] = enrolment.codes
            messages.success(request, _("Your second factor is on."))
            url = reverse("second-factor-backup-codes")
            return redirect(f"{url}?next={_next_url(request)}")
        form.add_error(
            "code",
            _paused_message(enrolment.paused_until)
            if enrolment.paused_until is not None
            else _(
                "That code did not match. Check that the app shows Conduct Portal, and "
                "enter the code it shows now."
            ),
        )
    return _no_store(
        render(
            request,
            "twofactor/enrol.html",
            {
                "form": form,
                "secret": devices.secret_of(device),
                "required": policy.required_by_role(policy.request_roles(request)),  # type: ignore[arg-type]
                "next": _next_url(request),
            },
        )
    )


@never_cache
@login_required
@require_GET
def qr_code(request: HttpRequest) -> HttpResponse:
    """The QR code of the app being set up, drawn here as SVG: the secret never leaves
    the portal for an image service."""
    if not _may_enrol(request):
        return HttpResponse(status=404)
    device = devices.enrolment_device(_user(request))
    svg = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        svg, kind="svg", scale=5, light="#fff", title=_("QR code")
    )
    return _no_store(HttpResponse(svg.getvalue(), content_type="image/svg+xml"))


@never_cache
@login_required
@require_GET
def backup_codes(request: HttpRequest) -> HttpResponse:
    """The new backup codes, shown this once: they are taken out of the session here."""
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    return _no_store(
        render(
            request,
            "twofactor/backup_codes.html",
            {"codes": codes, "next": _next_url(request)},
        )
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@per_address("second-factor", "RATELIMIT_SECOND_FACTOR")
def verify(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.user.is_verified():  # type: ignore[union-attr]
        return HttpResponseRedirect(_next_url(request))
    if not devices.has_second_factor(user) and devices.backup_device(user) is None:
        return redirect(f"{reverse('second-factor-enrol')}?next={_next_url(request)}")
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = devices.check_code(request, form.cleaned_data["code"])
        if outcome.accepted:
            response = HttpResponseRedirect(_next_url(request))
            if form.cleaned_data.get("remember") and outcome.device is not None:
                trust.remember(response, outcome.device)
            return response
        if outcome.paused_until is not None:
            form.add_error("code", _paused_message(outcome.paused_until))
        else:
            form.add_error(
                "code",
                _(
                    "That code did not match. Enter the code the app shows now, or a backup "
                    "code you have not used before."
                ),
            )
    return _no_store(
        render(request, "twofactor/verify.html", {"form": form, "next": _next_url(request)})
    )


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    app = devices.app_devices(user)
    return render(
        request,
        "twofactor/overview.html",
        {
            "app": app[0] if app else None,
            "codes_left": devices.backup_codes_left(user),
            "required": policy.required_by_role(policy.request_roles(request)),  # type: ignore[arg-type]
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes, after a page that says the old ones stop working."""
    if not devices.has_second_factor(_user(request)):
        return redirect("second-factor")
    if request.method == "POST" and ConfirmForm(request.POST).is_valid():
        request.session[NEW_CODES_SESSION_KEY] = devices.new_backup_codes(request)
        return redirect(f"{reverse('second-factor-backup-codes')}?next={reverse('second-factor')}")
    return render(request, "twofactor/new_backup_codes.html", {"form": ConfirmForm()})


__all__ = [
    "backup_codes",
    "enrol",
    "new_backup_codes",
    "overview",
    "qr_code",
    "verify",
]
