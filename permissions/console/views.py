"""The console's pages. Auditors read; the only thing they start here is a run of the
audit chain's verification (and each export is itself audited)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
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
from ..selectors import submission_panels
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
    page = count = None
    if search is not None:
        page = selectors.search_requests(
            search=search, cursor=request.GET.get("after"), size=settings.PAGE_SIZE
        )
        count = selectors.count_requests(search)
    return render(request, "console/requests.html", {"form": form, "page": page, "count": count})


def _search_of(form: RequestSearchForm | AuditLogForm, *, unfiltered: Any) -> Any:
    """The search the form's filters describe; `unfiltered` when none were given; None
    when some are wrong (the form says which)."""
    if not form.is_bound:
        return unfiltered
    return form.search() if form.is_valid() else None


def export_refused(
    request: HttpRequest, export: exports.Export, filters: QueryDict
) -> HttpResponse:
    """Back to the list with its filters, which the list marks, and why."""
    messages.error(request, _("Correct the filters marked before exporting."))
    query = exports.filter_query(filters).urlencode()
    return redirect(reverse(export.list_url_name) + (f"?{query}" if query else ""))


def _export(request: HttpRequest, what: str, fmt: str) -> HttpResponseBase:
    """The rows of the list's current filter as CSV or XLSX, straight away when there
    are no more than EXPORT_DIRECT_MAX_ROWS (recorded on the audit chain first: what, in
    which format, with which filters). A longer result would hold the web worker past
    its time limit: the auditor is sent to start an export job, which writes a file to
    download when it is ready."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    export = exports.EXPORTS[what]
    form = export.form(request.GET)
    search = export.search(form)
    if search is None:
        return export_refused(request, export, request.GET)
    if export.exceeds(search, settings.EXPORT_DIRECT_MAX_ROWS):
        query = exports.filter_query(request.GET)
        query.update({"what": what, "format": fmt})
        return redirect(f"{reverse('export-new')}?{query.urlencode()}")
    export.record(by=_user(request), fmt=fmt, form=form, origin=audit.origin_of(request))
    filename = f"{what.replace('_', '-')}-{_stamp()}.{fmt}"
    columns, fields, batches = export.columns(), export.fields, export.batches(search)
    if fmt == "csv":
        return exports.csv_response(
            filename=filename, columns=columns, fields=fields, batches=batches
        )
    return exports.xlsx_response(
        filename=filename, sheet=str(export.sheet), columns=columns, fields=fields, batches=batches
    )


@auditor_required
@require_GET
def request_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    return _export(request, "requests", fmt)


@auditor_required
@require_GET
def request_record(request: HttpRequest, pk: int) -> HttpResponse:
    permission_request = selectors.request_for_audit(pk=pk)
    events = selectors.timeline(request=permission_request)
    return render(
        request,
        "console/request.html",
        {
            "permission_request": permission_request,
            "events": events,
            "panels": submission_panels(request=permission_request, events=events),
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
    page = count = None
    if search is not None:
        page = selectors.audit_log(
            search=search, cursor=request.GET.get("after"), size=settings.PAGE_SIZE
        )
        count = selectors.count_events(search)
    return render(request, "console/audit_log.html", {"form": form, "page": page, "count": count})


@auditor_required
@require_GET
def audit_log_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    return _export(request, "audit_log", fmt)


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
