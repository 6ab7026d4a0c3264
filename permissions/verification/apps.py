from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "permissions.verification"
    label = "verification"
    verbose_name = _("Public verification")
