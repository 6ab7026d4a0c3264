"""The auditors' export jobs: asking for one from a console list, following it, and
downloading its file. Only auditors; anyone else gets the console's 404."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from permissions import audit
from permissions.console import exports
from permissions.console.views import EXPORT_FORMATS, auditor_required, export_refused
from permissions.models import User

from . import selectors, services
from .models import ExportFormat, ExportStatus, ExportWhat

# A list's query string is a few hundred characters at most: anything longer is not one.
MAX_FILTERS_LENGTH = 4_000
CONTENT_TYPES = {"csv": exports.CSV_CONTENT_TYPE, "xlsx": exports.XLSX_CONTENT_TYPE}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@auditor_required
@require_http_methods(["GET", "POST"])
def export_new(request: HttpRequest) -> HttpResponseBase:
    """GET (a list's old export link, or a result too long to send at once) asks to
    confirm; POST (the lists' export buttons) starts the job. The filters travel as the
    list's own query string, read by the list's own form."""
    data = request.POST if request.method == "POST" else request.GET
    what, fmt = data.get("what", ""), data.get("format", "")
    if request.method != "POST" and not what and not fmt:
        return redirect("export-list")
    if what not in exports.EXPORTS or fmt not in EXPORT_FORMATS:
        raise Http404
    export = exports.EXPORTS[what]
    query: QueryDict
    if request.method == "POST":
        query = QueryDict(data.get("filters", "")[:MAX_FILTERS_LENGTH])
    else:
        query = request.GET.copy()
        for name in ("what", "format"):
            query.pop(name, None)
    form = export.form(query)
    if export.search(form) is None:
        return export_refused(request, export, query)
    if request.method != "POST":
        return render(
            request,
            "exports/new.html",
            {
                "what": ExportWhat(what).label,
                "what_code": what,
                "fmt": ExportFormat(fmt).label,
                "fmt_code": fmt,
                "filters": exports.filter_query(query).urlencode(),
                "filtered": form.is_bound,
            },
        )
    job = services.export_job_create(
        by=_user(request), export=export, fmt=fmt, form=form, origin=audit.origin_of(request)
    )
    if services.export_job_start(job):
        messages.info(
            request,
            _(
                "Your export has started. This page shows how far it has gone; you will be "
                "notified when it is ready to download."
            ),
        )
    else:
        messages.error(
            request, _("The export could not be started: the task queue is unavailable.")
        )
    return redirect("export-detail", pk=job.pk)


@auditor_required
@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    page = selectors.jobs_of(user=_user(request), cursor=request.GET.get("after"))
    return render(request, "exports/list.html", {"page": page})


@auditor_required
@require_GET
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_of(user=_user(request), pk=pk)
    template = (
        "exports/_progress.html" if request.headers.get("HX-Request") else "exports/detail.html"
    )
    return render(request, template, {"job": job})


@auditor_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    user = _user(request)
    job = selectors.job_of(user=user, pk=pk)
    if job.status != ExportStatus.READY or not job.file.name:
        raise Http404
    handle = job.file.open("rb")
    services.export_download_record(job=job, by=user, origin=audit.origin_of(request))
    response = FileResponse(
        handle, as_attachment=True, filename=job.filename, content_type=CONTENT_TYPES[job.fmt]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response
