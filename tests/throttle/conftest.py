"""Every test here counts from nothing, in a cache of its own."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture(autouse=True)
def counters_start_at_nothing(settings) -> None:  # type: ignore[no-untyped-def]
    """The counters live in the default cache, which outlives a test. On the full stack
    that cache is Redis, which the processes running tests side by side share (their
    Celery queues too), so clearing it would empty theirs: each test here counts in a
    memory cache of its own instead, empty when it starts."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"throttle-{uuid.uuid4().hex}",
        }
    }
