"""The register of social-media accounts and groups: each servant's own page, and the
auditors' search across organisations with its CSV export."""

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

from permissions import audit, paging
from permissions.audit import origin_of
from permissions.console.exports import column, csv_response
from permissions.console.views import auditor_required
from permissions.errors import WorkflowError
from permissions.models import User
from permissions.models.requests import Capacity
from permissions.security import Refused
from permissions.states import Action, Status

from . import selectors, services
from .forms import AccountForm, GroupForm, RegisterSearchForm
from .models import Entry, GroupRole, GroupSize, OnlineGroup, SocialAccount

PAGE_SIZE = 25
EXPORT_BATCH = 2_000

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

NEWEST = paging.SortKey.newest("created_at")


@auditor_required
@require_GET
def search(request: HttpRequest) -> HttpResponseBase:
    form = RegisterSearchForm(request.GET or None)
    criteria = form.criteria()
    results = paging.page(
        selectors.search(criteria),
        sort=NEWEST,
        cursor=request.GET.get("after"),
        size=PAGE_SIZE,
    )
    return render(
        request,
        "register/search.html",
        {"form": form, "page": results, "kind": criteria.kind, "statuses": Status},
    )


ACCOUNT_COLUMNS = [
    column(gettext_lazy("Organisation"), "owner__organisation__name", width=30),
    column(
        gettext_lazy("Declared by"),
        "owner__first_name",
        "owner__last_name",
        combine=lambda first, last: f"{first} {last}".strip(),
        width=24,
    ),
    column(gettext_lazy("Designation"), "owner__designation", width=24),
    column(gettext_lazy("Platform"), "platform__name"),
    column(gettext_lazy("Handle or address"), "handle", width=30),
    column(gettext_lazy("Personal or official"), "capacity", kind="label", choices=Capacity),
    column(gettext_lazy("Since"), "since", kind="day"),
    column(gettext_lazy("Request for permission"), "permission__reference"),
    column(gettext_lazy("Its status"), "permission__status", kind="label", choices=Status),
    column(gettext_lazy("Declared"), "created_at", kind="moment"),
    column(gettext_lazy("Removed"), "removed_at", kind="moment"),
]
GROUP_COLUMNS = [
    *ACCOUNT_COLUMNS[:4],
    column(gettext_lazy("Name of the group"), "name", width=30),
    column(gettext_lazy("What the group is for"), "purpose", width=40),
    column(gettext_lazy("Rough size"), "size", kind="label", choices=GroupSize),
    column(gettext_lazy("Official group"), "official", kind="yes_no"),
    column(gettext_lazy("Part in it"), "role", kind="label", choices=GroupRole),
    *ACCOUNT_COLUMNS[6:],
]


@auditor_required
@require_GET
def export(request: HttpRequest) -> HttpResponseBase:
    """The search's whole result as CSV, on the audit chain like the console's exports."""
    form = RegisterSearchForm(request.GET or None)
    criteria = form.criteria()
    columns = GROUP_COLUMNS if criteria.kind == "group" else ACCOUNT_COLUMNS
    fields = ["pk", "created_at"]
    for each in columns:
        fields.extend(name for name in each.fields if name not in fields)
    rows = selectors.search(criteria).values_list(*fields)
    audit.record(
        Action.EXPORT,
        actor=_user(request),
        data={"what": "register", "kind": criteria.kind, "filters": request.GET.dict()},
        origin=origin_of(request),
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return csv_response(
        filename=f"register-{criteria.kind}s-{stamp}.csv",
        columns=columns,
        fields=fields,
        batches=paging.batches(rows, sort=NEWEST, size=EXPORT_BATCH, key=(1, 0)),
    )
