"""The dashboard's figures, computed by a scheduled job rather than on every visit."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DashboardSnapshot(models.Model):
    """The dashboard's grouped counts and turnaround at one moment.

    They read whole tables (every request by status, category and ministry, every
    submission of the last year, every final decision), so a job computes them on a
    schedule and the page shows the newest, with its time. The bounded lists (overdue
    steps, approvals about to expire) stay live: they are read through their indexes.
    """

    computed_at = models.DateTimeField(_("computed"), default=timezone.now, db_index=True)
    seconds = models.FloatField(_("seconds taken"), default=0)
    figures = models.JSONField(_("figures"))

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.computed_at:%Y-%m-%d %H:%M}"
