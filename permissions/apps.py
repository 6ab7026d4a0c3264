from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermissionsConfig(AppConfig):
    name = "permissions"
    verbose_name = _("Media permissions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401  (registers the system checks)
        from .dbtriggers import reinstall_after_migrate
        from .security import connect_signals

        connect_signals()
        post_migrate.connect(
            reinstall_after_migrate, sender=self, dispatch_uid="permissions.audit_triggers"
        )
