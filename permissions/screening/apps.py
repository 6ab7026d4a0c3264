from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "permissions.screening"
    label = "screening"
    verbose_name = _("Pre-screening of requests")

    def ready(self) -> None:
        from permissions.submission import register_check

        from .checks import Screening

        register_check(Screening())
