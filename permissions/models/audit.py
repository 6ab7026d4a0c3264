"""The audit trail: one append-only row per decision and per security-relevant event."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "submit": _("Submitted"),
    "approve": _("Approved"),
    "reject": _("Rejected"),
    "return": _("Returned for clarification"),
    "resubmit": _("Resubmitted"),
    "withdraw": _("Withdrawn"),
    "revoke": _("Revoked"),
    "expire": _("Expired"),
    "escalate": _("Escalated"),
    "amend": _("Amended"),
    "delegation.create": _("Delegation given"),
    "delegation.end": _("Delegation ended"),
}


class AuditEvent(models.Model):
    request = models.ForeignKey(
        "permissions.PermissionRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system acted (expiry, escalation)."),
    )
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("for"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["request", "id"], name="audit_request_timeline"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_recent"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action}"

    def get_action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))
