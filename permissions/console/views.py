"""The console's pages. Auditors read; the only thing they start here is a run of the
audit chain's verification (and each export is itself audited)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from .. import audit, content
from ..models import AuditVerification, User
from ..roles import request_roles
from ..security import Refused
from ..states import Action
from ..tasks import verify_audit_run
from . import dashboard as dashboard_figures
from . import exports, selectors
from .forms import AuditLogForm, RequestSearchForm

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponseBase]

EXPORT_FORMATS = ("csv", "xlsx")


def auditor_required(view: View) -> View:
    """Signed-in auditors only. Anyone else signed in gets the 404 of a page that does
    not exist; anonymous visitors are sent to sign in."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        roles = request_roles(request)
        if roles is None or not roles.auditor:
            raise Refused
        return view(request, *args, **kwargs)

    return wrapper


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


# --- the dashboard -----------------------------------------------------------------------


@auditor_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "console/dashboard.html",
        {
            "figures": dashboard_figures.build(),
            "verifications": selectors.latest_verifications(),
        },
    )


# --- requests ----------------------------------------------------------------------------


def _request_search_form(request: HttpRequest) -> RequestSearchForm:
    return RequestSearchForm(
        request.GET or None,
        tree=selectors.organisation_tree(),
        platforms=selectors.platform_choices(),
    )


@auditor_required
@require_GET
def request_search(request: HttpRequest) -> HttpResponse:
    form = _request_search_form(request)
    search = _search_of(form, unfiltered=selectors.RequestSearch())
    page = None
    if search is not None:
        page = selectors.search_requests(
            search=search, cursor=request.GET.get("after"), size=settings.PAGE_SIZE
        )
    return render(request, "console/requests.html", {"form": form, "page": page})


def _search_of(form: RequestSearchForm | AuditLogForm, *, unfiltered: Any) -> Any:
    """The search the form's filters describe; `unfiltered` when none were given; None
    when some are wrong (the form says which)."""
    if not form.is_bound:
        return unfiltered
    return form.search() if form.is_valid() else None


def _export_refused(request: HttpRequest, list_url_name: str) -> HttpResponse:
    messages.error(request, _("Correct the filters marked before exporting."))
    query = request.GET.urlencode()
    return redirect(reverse(list_url_name) + (f"?{query}" if query else ""))


def _export(
    request: HttpRequest,
    fmt: str,
    *,
    form: RequestSearchForm | AuditLogForm,
    unfiltered: Any,
    list_url_name: str,
    what: str,
    rows: Callable[[Any], Iterable[Any]],
    columns: list[Any],
    sheet: str,
) -> HttpResponseBase:
    """Stream the rows of the list's current filter as CSV or XLSX, after recording
    the export (what, in which format, with which filters) on the audit chain."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    search = _search_of(form, unfiltered=unfiltered)
    if search is None:
        return _export_refused(request, list_url_name)
    audit.record(
        Action.EXPORT,
        actor=_user(request),
        data={
            "what": what,
            "format": fmt,
            "filters": form.filters_for_record() if form.is_bound else {},
        },
        origin=audit.origin_of(request),
    )
    filename = f"{what.replace('_', '-')}-{_stamp()}.{fmt}"
    if fmt == "csv":
        return exports.csv_response(filename=filename, columns=columns, rows=rows(search))
    return exports.xlsx_response(filename=filename, sheet=sheet, columns=columns, rows=rows(search))


@auditor_required
@require_GET
def request_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    return _export(
        request,
        fmt,
        form=_request_search_form(request),
        unfiltered=selectors.RequestSearch(),
        list_url_name="console-requests",
        what="requests",
        rows=selectors.requests_for_export,
        columns=exports.request_columns(),
        sheet=_("Requests"),
    )


@auditor_required
@require_GET
def request_record(request: HttpRequest, pk: int) -> HttpResponse:
    permission_request = selectors.request_for_audit(pk=pk)
    return render(
        request,
        "console/request.html",
        {
            "permission_request": permission_request,
            "events": selectors.timeline(request=permission_request),
            "content_check": content.content_matches(permission_request),
            "notifications": selectors.notifications_about(request=permission_request),
        },
    )


# --- the audit log -----------------------------------------------------------------------


def _audit_log_form(request: HttpRequest) -> AuditLogForm:
    return AuditLogForm(request.GET or None, tree=selectors.organisation_tree())


@auditor_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    form = _audit_log_form(request)
    search = _search_of(form, unfiltered=selectors.AuditLogSearch())
    page = None
    if search is not None:
        page = selectors.audit_log(
            search=search, cursor=request.GET.get("after"), size=settings.PAGE_SIZE
        )
    return render(request, "console/audit_log.html", {"form": form, "page": page})


@auditor_required
@require_GET
def audit_log_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    return _export(
        request,
        fmt,
        form=_audit_log_form(request),
        unfiltered=selectors.AuditLogSearch(),
        list_url_name="console-audit-log",
        what="audit_log",
        rows=selectors.events_for_export,
        columns=exports.event_columns(),
        sheet=_("Audit log"),
    )


# --- the audit chain ---------------------------------------------------------------------


@auditor_required
@require_GET
def verification(request: HttpRequest) -> HttpResponse:
    runs = selectors.recent_verifications()
    latest = runs[0] if runs else None
    return render(
        request,
        "console/verification.html",
        {
            "latest": latest,
            "bad_event": selectors.audit_event(latest.run.bad_event_id if latest else None),
            "runs": runs,
        },
    )


@auditor_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """GET asks for confirmation (the run reads the whole chain); POST starts it on a
    worker (in the process itself on the embedded default) and comes back to the
    verification page, which shows the result when the run has finished."""
    if request.method != "POST":
        return render(request, "console/verify_confirm.html")
    user = _user(request)
    running = selectors.verification_in_progress()
    if running is not None:
        messages.info(
            request,
            _("A verification started at %(time)s is still running; its result will show here.")
            % {"time": time_format(timezone.localtime(running.started_at), "TIME_FORMAT")},
        )
        return redirect("console-verification")
    with transaction.atomic():
        run = audit.start_verification(by=user)
        audit.record(
            Action.AUDIT_VERIFY,
            actor=user,
            data={"verification": run.pk},
            origin=audit.origin_of(request),
        )
    try:
        verify_audit_run.delay(run.pk)
    except Exception:  # kombu/redis raise several unrelated types when the broker is down
        logger.warning("Verification %s not started: broker unavailable", run.pk, exc_info=True)
        AuditVerification.objects.filter(pk=run.pk).update(
            finished_at=timezone.now(), problem=_("Not started: the task queue was unavailable.")
        )
        messages.error(
            request,
            _(
                "The verification could not be started: the task queue is unavailable. Try "
                "again later, or run manage.py verify_audit on the server."
            ),
        )
        return redirect("console-verification")
    run.refresh_from_db()
    if run.finished_at is None:
        messages.info(
            request,
            _("The verification has started; its result will show here when it finishes."),
        )
    elif run.ok:
        messages.success(
            request,
            _("The audit chain is intact: %(count)s events checked.") % {"count": run.checked},
        )
    else:
        messages.error(
            request,
            _("The audit chain is broken at event #%(event)s: %(problem)s")
            % {"event": run.bad_event_id, "problem": run.problem},
        )
    if run.content_ok is False:
        messages.error(
            request,
            ngettext(
                "%(count)s mismatch was found between the records and the audit chain; "
                "the auditors have been alerted.",
                "%(count)s mismatches were found between the records and the audit chain; "
                "the auditors have been alerted.",
                run.mismatches_found,
            )
            % {"count": run.mismatches_found},
        )
    elif run.content_ok:
        messages.success(
            request,
            _(
                "Every request and file matches the audit chain: %(requests)s requests and "
                "%(files)s files checked."
            )
            % {"requests": run.requests_checked, "files": run.files_checked},
        )
    return redirect("console-verification")
