from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigninConfig(AppConfig):
    name = "permissions.signin"
    label = "signin"
    verbose_name = _("Signing in")

    def ready(self) -> None:
        from axes.signals import user_locked_out  # type: ignore[import-untyped, unused-ignore]
        from django.contrib.auth.signals import user_logged_in

        from . import lockout, sessions

        user_locked_out.connect(lockout.on_locked_out, dispatch_uid="portal-lockout-audit")
        # The session's lifetime runs from the sign-in that gave it its key.
        user_logged_in.connect(sessions.on_signed_in, dispatch_uid="portal-session-clocks")
