"""The register of social-media accounts and groups: each servant's own page, and the
auditors' search across organisations (exported by export jobs, see exports.py)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from permissions import paging
from permissions.audit import origin_of
from permissions.console.views import auditor_required
from permissions.errors import WorkflowError
from permissions.models import User
from permissions.security import Refused
from permissions.states import Status

from . import selectors, services
from .exports import NEWEST, export_for
from .forms import AccountForm, GroupForm, RegisterSearchForm
from .models import Entry, OnlineGroup, SocialAccount

PAGE_SIZE = 25

KINDS: dict[str, tuple[type[Entry], type[AccountForm] | type[GroupForm]]] = {
    "accounts": (SocialAccount, AccountForm),
    "groups": (OnlineGroup, GroupForm),
}
TITLES = {
    ("accounts", "new"): gettext_lazy("Declare an account"),
    ("accounts", "edit"): gettext_lazy("Change an account"),
    ("groups", "new"): gettext_lazy("Declare a group"),
    ("groups", "edit"): gettext_lazy("Change a group"),
}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _own_entry(request: HttpRequest, kind: str, pk: int) -> Entry:
    """One of the person's own entries still in the register, or 404."""
    model = KINDS[kind][0]
    entry = (
        model._default_manager.filter(pk=pk, owner=_user(request), removed_at=None)
        .select_related("platform", "permission")
        .first()
    )
    if entry is None:
        raise Refused
    return entry


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    owner = _user(request)
    return render(
        request,
        "register/mine.html",
        {
            "accounts": selectors.accounts_of(owner=owner),
            "groups": selectors.groups_of(owner=owner),
            "last_confirmed": selectors.last_confirmed(owner=owner),
            "confirmation_due": selectors.confirmation_due(owner=owner),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest, kind: str) -> HttpResponse:
    form_class = KINDS[kind][1]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = services.entry_add(
            entry=form.save(commit=False), owner=_user(request), origin=origin_of(request)
        )
        messages.success(request, _("%(entry)s is in your register.") % {"entry": entry})
        return redirect("register")
    return _render_entry(request, form, kind, "new", None)


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    entry = _own_entry(request, kind, pk)
    form_class = KINDS[kind][1]
    # A copy to fill, so that what is stored is changed only through the service.
    form = form_class(request.POST or None, instance=type(entry)._default_manager.get(pk=entry.pk))
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.entry_change(
                entry=entry,
                by=_user(request),
                data=form.cleaned_data,
                origin=origin_of(request),
            )
        except WorkflowError as error:
            messages.error(request, error.message)
            return redirect("register")
        if changed:
            messages.success(request, _("%(entry)s is changed.") % {"entry": form.instance})
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("register")
    return _render_entry(request, form, kind, "edit", entry)


def _render_entry(
    request: HttpRequest, form: Any, kind: str, mode: str, entry: Entry | None
) -> HttpResponse:
    return render(
        request,
        "register/entry_form.html",
        {"form": form, "kind": kind, "entry": entry, "title": TITLES[(kind, mode)]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_remove(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    entry = _own_entry(request, kind, pk)
    if request.method == "POST":
        try:
            services.entry_remove(entry=entry, by=_user(request), origin=origin_of(request))
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("%(entry)s is removed from your register.") % {"entry": entry}
            )
        return redirect("register")
    return render(request, "register/confirm_remove.html", {"entry": entry, "kind": kind})


@login_required
@require_POST
def permission_ask(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    entry = _own_entry(request, kind, pk)
    try:
        draft = services.permission_ask(entry=entry, by=_user(request), origin=origin_of(request))
    except WorkflowError as error:
        messages.error(request, error.message)
        return redirect("register")
    messages.success(
        request,
        _(
            "Draft %(reference)s is filled in from your register. Check it, give anything "
            "missing, and submit it for a decision."
        )
        % {"reference": draft.reference},
    )
    return redirect("request-edit", pk=draft.pk)


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    services.register_confirm(owner=_user(request), origin=origin_of(request))
    messages.success(
        request,
        _("Thank you: your register is confirmed as complete on %(day)s.")
        % {"day": date_format(timezone.localdate(), "DATE_FORMAT")},
    )
    return redirect("register")


# --- the auditors' search ----------------------------------------------------------------


@auditor_required
@require_GET
def search(request: HttpRequest) -> HttpResponseBase:
    form = RegisterSearchForm(request.GET or None)
    criteria = form.search()
    results = paging.page(
        selectors.search(criteria),
        sort=NEWEST,
        cursor=request.GET.get("after"),
        size=PAGE_SIZE,
    )
    return render(
        request,
        "register/search.html",
        {
            "form": form,
            "page": results,
            "kind": criteria.kind,
            "statuses": Status,
            # What the page's export buttons ask for (a key of the console's EXPORTS).
            "export_what": export_for(criteria.kind).what,
        },
    )
