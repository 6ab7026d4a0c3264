"""Celery tasks: a few lines each; the work lives in services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="permissions.ping")
def ping(token: str) -> str:
    """Echo a token back: proves a worker takes tasks from the broker."""
    return f"pong:{token}"
