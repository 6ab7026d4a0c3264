"""System checks shown when the portal starts (runserver, migrate, check)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security)
def audit_key_check(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Say so when the audit chain is keyed with the generated development key."""
    if settings.AUDIT_DEV_KEY_FILE is None:
        return []
    return [
        Warning(
            f"The audit chain is keyed with the development key kept in "
            f"{settings.AUDIT_DEV_KEY_FILE}.",
            hint=(
                "Fine for the embedded default. Anywhere else set AUDIT_KEY in the "
                "environment; events chained under this key verify only with it."
            ),
            id="permissions.W001",
        )
    ]
