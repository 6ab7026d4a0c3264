from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwoFactorConfig(AppConfig):
    name = "permissions.twofactor"
    label = "twofactor"
    verbose_name = _("Second factor")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .. import demo as core_demo
        from . import demo, policy

        core_demo.seeded.connect(demo.pre_enrol, dispatch_uid="twofactor-demo-pre-enrol")
        user_logged_in.connect(policy.on_login, dispatch_uid="twofactor-has-device")
