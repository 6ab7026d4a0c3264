"""Export jobs: asking for one (recorded on the audit chain), writing its file a batch
at a time on a worker, giving it out, and deleting it when its time is up."""

from __future__ import annotations

import datetime
import hashlib
import logging
from pathlib import Path
from typing import cast

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from permissions import audit, emails, outbox
from permissions.audit import Origin
from permissions.console import exports
from permissions.models import User
from permissions.models.notifications import NotificationKind
from permissions.roles import roles_of
from permissions.states import Action

from .models import ExportJob, ExportStatus, export_path

logger = logging.getLogger(__name__)

HASH_CHUNK = 1 << 20
# How many expired files one run of the clean-up deletes per query.
EXPIRE_BATCH = 500


class ExportFailed(Exception):
    """Why a job could not write its file, in words for the auditor."""


def export_job_create(
    *, by: User, export: exports.Export, fmt: str, form: exports.FilterForm, origin: Origin
) -> ExportJob:
    """Record the job and, on the audit chain, the export it will make: what, in which
    format, with which filters. The caller has checked the filters (`form` is valid or
    unbound) and starts the job with export_job_start once this has committed."""
    with transaction.atomic():
        job = ExportJob.objects.create(
            requested_by=by,
            what=export.what,
            fmt=fmt,
            filters=exports.filter_query(cast(QueryDict, form.data)).urlencode()
            if form.is_bound
            else "",
        )
        export.record(by=by, fmt=fmt, form=form, origin=origin, job=job.pk)
    return job


def export_job_start(job: ExportJob) -> bool:
    """Hand the job to a worker (in this process on the embedded default); False, and
    the job marked failed, when the task queue cannot be reached."""
    from .tasks import run_export

    try:
        run_export.delay(job.pk)
    except Exception:  # kombu/redis raise several unrelated types when the broker is down
        logger.warning("Export %s not started: broker unavailable", job.pk, exc_info=True)
        ExportJob.objects.filter(pk=job.pk, status=ExportStatus.QUEUED).update(
            status=ExportStatus.FAILED,
            finished_at=timezone.now(),
            error=_("Not started: the task queue was unavailable. Try again later."),
        )
        return False
    return True


def _partial_path(job: ExportJob) -> Path:
    """Where the file is written until it is complete: never a file a download serves."""
    return Path(settings.MEDIA_ROOT) / "exports" / "partial" / f"{job.pk}.{job.fmt}"


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write(job: ExportJob, path: Path) -> int:
    export = exports.EXPORTS[job.what]
    form = export.form(QueryDict(job.filters))
    search = export.search(form)
    if search is None:
        raise ExportFailed(
            _("Its filters are no longer valid: %(errors)s")
            % {
                "errors": "; ".join(
                    str(error) for errors in form.errors.values() for error in errors
                )
            }
        )

    def progress(rows: int) -> None:
        # One UPDATE a batch: the job's page shows how far it has gone.
        ExportJob.objects.filter(pk=job.pk).update(rows_written=rows)

    columns, fields, batches = export.columns(), export.fields, export.batches(search)
    if job.fmt == "csv":
        with path.open("w", encoding="utf-8", newline="", buffering=HASH_CHUNK) as handle:
            return exports.write_csv(
                handle, columns=columns, fields=fields, batches=batches, progress=progress
            )
    return exports.write_xlsx(
        str(path),
        sheet=str(export.sheet),
        columns=columns,
        fields=fields,
        batches=batches,
        progress=progress,
    )


def _failure(error: BaseException, job: ExportJob) -> str:
    if isinstance(error, ExportFailed):
        return str(error)
    if isinstance(error, SoftTimeLimitExceeded):
        return _(
            "It took longer than an export may run. Narrow the filters (a shorter period, "
            "say) and export again."
        )
    if isinstance(error, OSError):
        return _("The file could not be written on the server (%(reason)s).") % {
            "reason": error.strerror or error.__class__.__name__
        }
    return _(
        "It stopped because of an error on the server. Try again; if it happens again, "
        "tell the administrator (export %(job)s)."
    ) % {"job": job.pk}


def export_job_run(job_id: int) -> str:
    """Write the job's file, a batch at a time, and tell its owner when it is ready.
    Runs once: a job already claimed (by this task delivered twice, say) is left alone.
    The file is written beside the exports under a name of its own and moved into place
    only when complete, so nothing half-written is ever given out."""
    started = timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=started
    )
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    if not claimed:
        return job.status
    partial = _partial_path(job)
    try:
        if not roles_of(job.requested_by).auditor:
            raise ExportFailed(_("Whoever asked for it is no longer an auditor."))
        partial.parent.mkdir(parents=True, exist_ok=True)
        # Headings and labels in the language of the auditor who asked for it.
        with translation.override(emails.language_of(job.requested_by)):
            rows = _write(job, partial)
        name = export_path(job, "")
        final = Path(job.file.storage.path(name))
        final.parent.mkdir(parents=True, exist_ok=True)
        size, sha256 = partial.stat().st_size, _digest(partial)
        partial.replace(final)
    except Exception as error:
        logger.exception("Export %s failed", job.pk)
        partial.unlink(missing_ok=True)
        message = _failure(error, job)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, finished_at=timezone.now(), error=message
        )
        return ExportStatus.FAILED
    finished = timezone.now()
    with transaction.atomic():
        job.status = ExportStatus.READY
        job.rows_written = rows
        job.file.name = name
        job.file_size = size
        job.sha256 = sha256
        job.finished_at = finished
        job.expires_at = finished + datetime.timedelta(days=settings.EXPORT_KEEP_DAYS)
        job.save(
            update_fields=[
                "status",
                "rows_written",
                "file",
                "file_size",
                "sha256",
                "finished_at",
                "expires_at",
            ]
        )
        _notify_ready(job)
    return ExportStatus.READY


def _notify_ready(job: ExportJob) -> None:
    # About the job, not a request: it leads to the job's page, which has the download.
    outbox.notify(
        recipients=[job.requested_by],
        kind=NotificationKind.EXPORT_READY,
        key=f"export:{job.pk}",
        context={"export": job},
        link=reverse("export-detail", args=[job.pk]),
    )


def export_download_record(*, job: ExportJob, by: User, origin: Origin) -> None:
    """The file leaves the portal: recorded like the letters' downloads, with the digest
    of what was given."""
    audit.record(
        Action.EXPORT,
        actor=by,
        data={
            "what": job.what,
            "format": job.fmt,
            "job": job.pk,
            "downloaded": True,
            "sha256": job.sha256,
        },
        origin=origin,
    )


def expire_exports(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete the files kept past their time (the rows stay, marked as no longer kept),
    and mark failed the jobs whose worker died before they finished."""
    now = now or timezone.now()
    expired = 0
    while True:
        due = list(
            ExportJob.objects.filter(status=ExportStatus.READY, expires_at__lte=now)
            .order_by("expires_at", "pk")
            .only("pk", "file")[:EXPIRE_BATCH]
        )
        if not due:
            break
        for job in due:
            if job.file.name:
                job.file.storage.delete(job.file.name)
        expired += ExportJob.objects.filter(pk__in=[job.pk for job in due]).update(
            status=ExportStatus.EXPIRED, file=""
        )
    stale = now - datetime.timedelta(seconds=settings.EXPORT_TIME_LIMIT_SECONDS * 2)
    abandoned = list(
        ExportJob.objects.filter(
            status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING], created_at__lt=stale
        ).only("pk", "fmt")
    )
    for job in abandoned:
        _partial_path(job).unlink(missing_ok=True)
    stopped = ExportJob.objects.filter(pk__in=[job.pk for job in abandoned]).update(
        status=ExportStatus.FAILED,
        finished_at=now,
        error=_("It did not finish: the worker writing it stopped. Export again."),
    )
    return {"expired": expired, "stopped": stopped}
