from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LanguagesConfig(AppConfig):
    name = "permissions.languages"
    label = "languages"
    verbose_name = _("Languages")
