"""The console's scheduled job: the dashboard's figures, computed away from the page."""

from __future__ import annotations

from celery import shared_task

from . import dashboard


@shared_task(name="permissions.job.refresh_dashboard")
def refresh_dashboard() -> dict[str, float]:
    snapshot = dashboard.refresh()
    return {"snapshot": snapshot.pk, "seconds": snapshot.seconds}
