from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "permissions.register"
    label = "register"
    verbose_name = _("Register of social-media accounts and groups")
