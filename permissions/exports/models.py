"""An export of a console list, written to a file by a background job.

The file is private (under MEDIA_ROOT, with no public URL): only the auditor who asked
for it downloads it, through a view that checks who is asking. It is kept for
EXPORT_KEEP_DAYS and then deleted by a scheduled job, which keeps the row as a record."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permissions.models.requests import private_storage


class ExportWhat(models.TextChoices):
    # The same words the audit trail records for an export.
    REQUESTS = "requests", _("Requests")
    AUDIT_LOG = "audit_log", _("Audit log")
    # The register's search (permissions/register/exports.py), one kind of entry a file.
    REGISTER_ACCOUNTS = "register_accounts", _("Register of accounts")
    REGISTER_GROUPS = "register_groups", _("Register of groups")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel workbook (XLSX)")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being written")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("No longer kept")


def export_path(instance: ExportJob, filename: str) -> str:
    """A server-generated name, unguessable, under exports/ by month."""
    return f"exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{instance.fmt}"


class ExportJob(models.Model):
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    what = models.CharField(_("what"), max_length=20, choices=ExportWhat.choices)
    fmt = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    # The list's query string (its filters and order), as the auditor saw the list.
    filters = models.TextField(_("filters"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_written = models.PositiveBigIntegerField(_("rows written"), default=0)
    file = models.FileField(
        upload_to=export_path, storage=private_storage, max_length=200, blank=True
    )
    file_size = models.PositiveBigIntegerField(_("file size"), null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(_("what went wrong"), blank=True)
    created_at = models.DateTimeField(_("asked for"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            # "Your exports", newest first, a page at a time.
            models.Index(
                fields=["requested_by", "-created_at", "-id"], name="exports_by_owner_newest"
            ),
            # The clean-up: ready files past their time, and jobs that never finished.
            models.Index(fields=["status", "expires_at"], name="exports_status_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.get_what_display()} ({self.get_fmt_display()}) #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status not in {ExportStatus.QUEUED, ExportStatus.RUNNING}

    @property
    def filename(self) -> str:
        """The name the download is saved under: what, and when it was asked for."""
        stamp = timezone.localtime(self.created_at).strftime("%Y%m%d-%H%M")
        return f"{self.what.replace('_', '-')}-{stamp}.{self.fmt}"
