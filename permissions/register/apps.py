from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "permissions.register"
    label = "register"
    verbose_name = _("Register of social-media accounts and groups")

    def ready(self) -> None:
        from permissions.console.exports import add_export

        from . import exports

        # The search is exported by the console's export jobs, which the core runs
        # without importing the register.
        add_export(exports.ACCOUNTS)
        add_export(exports.GROUPS)
