"""Celery tasks: a few lines each; the work lives in outbox and schedules."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from . import outbox


@shared_task(name="permissions.ping")
def ping(token: str) -> str:
    """Echo a token back: proves a worker takes tasks from the broker."""
    return f"pong:{token}"


@shared_task(
    name="permissions.deliver_notification",
    bind=True,
    max_retries=None,  # the outbox counts attempts and gives up itself
    acks_late=True,
    reject_on_worker_lost=True,
)
def deliver_notification(self: Any, notification_id: int) -> str:
    try:
        return outbox.deliver(notification_id)
    except outbox.TransientDeliveryError as error:
        attempts = self.request.retries + 1
        raise self.retry(exc=error, countdown=outbox.backoff(attempts).total_seconds()) from error


@shared_task(name="permissions.sweep_outbox")
def sweep_outbox() -> int:
    return outbox.sweep()
