from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "permissions.letters"
    label = "letters"
    verbose_name = _("Permission letters")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system check)
