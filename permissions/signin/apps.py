from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigninConfig(AppConfig):
    name = "permissions.signin"
    label = "signin"
    verbose_name = _("Signing in")

    def ready(self) -> None:
        from axes.signals import user_locked_out  # type: ignore[import-untyped, unused-ignore]

        from . import lockout

        user_locked_out.connect(lockout.on_locked_out, dispatch_uid="portal-lockout-audit")
