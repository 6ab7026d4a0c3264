"""The register's Celery task, run daily by beat: a few lines; the work lives in
reminders."""

from __future__ import annotations

from celery import shared_task

from . import reminders


@shared_task(name="permissions.register.remind")
def remind_due() -> int:
    return reminders.remind_due()
