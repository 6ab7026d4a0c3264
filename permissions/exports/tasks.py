"""The export jobs' Celery tasks: a few lines each; the work lives in services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(
    name="permissions.exports.run",
    # Millions of rows take minutes, far beyond the default limit of a task.
    soft_time_limit=settings.EXPORT_TIME_LIMIT_SECONDS - 30,
    time_limit=settings.EXPORT_TIME_LIMIT_SECONDS,
)
def run_export(job_id: int) -> str:
    return services.export_job_run(job_id)


@shared_task(name="permissions.exports.expire")
def expire_exports() -> dict[str, int]:
    return services.expire_exports()
