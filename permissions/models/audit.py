"""The audit trail: one append-only row per decision and per security-relevant event,
chained by HMAC (permissions/audit.py writes and checks them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..states import Action, Status


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
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=20, blank=True, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=20, blank=True, choices=Status.choices)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    version = models.PositiveSmallIntegerField(default=1, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False, default="")
    hash = models.CharField(max_length=64, editable=False, default="")
    # Which of the audit keys (AUDIT_KEY_ID, or one of AUDIT_OLD_KEYS) made the hash;
    # empty for events made before keys had ids.
    key_id = models.CharField(max_length=40, editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["request", "id"], name="audit_request_timeline"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_recent"),
            models.Index(fields=["action", "id"], name="audit_action"),
            models.Index(fields=["created_at", "id"], name="audit_created"),
        ]
        constraints = [
            # A second event chained onto the same predecessor would fork the chain.
            models.UniqueConstraint(fields=["prev_hash"], name="audit_chain_no_fork"),
            models.UniqueConstraint(fields=["hash"], name="audit_hash_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action}"


class AuditHead(models.Model):
    """The chain's newest event as it was at a moment (the daily job): a later chain
    that no longer holds this event, or holds fewer events up to it, lost events."""

    # Not a foreign key: the point is to notice when the event has gone.
    event_id = models.BigIntegerField(null=True)
    hash = models.CharField(max_length=64)
    count = models.PositiveBigIntegerField()
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    # HMAC of the above under the audit key named by key_id: whoever can write the table
    # cannot record a head that verifies.
    key_id = models.CharField(max_length=40, blank=True, editable=False)
    mac = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.event_id} ({self.count} events) at {self.recorded_at:%Y-%m-%d %H:%M}"


class AuditVerification(models.Model):
    """One run of the chain's verification, shown on the auditor console."""

    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the schedule or the command line ran it."),
    )
    ok = models.BooleanField(_("chain intact"), null=True)
    checked = models.PositiveBigIntegerField(_("events checked"), default=0)
    heads_checked = models.PositiveIntegerField(_("recorded heads checked"), default=0)
    head_event_id = models.BigIntegerField(null=True)
    head_hash = models.CharField(max_length=64, blank=True)
    bad_event_id = models.BigIntegerField(_("first bad event"), null=True)
    problem = models.TextField(_("problem"), blank=True)
    # The sweep of the present against the chain (verify_audit --content): every
    # request's row and every file against the digests its latest events recorded.
    content_ok = models.BooleanField(_("records match the chain"), null=True)
    requests_checked = models.PositiveBigIntegerField(_("requests checked"), default=0)
    files_checked = models.PositiveBigIntegerField(_("files checked"), default=0)
    # [{"reference": ..., "request": id, "what": ..., "detail": ...}], the first few
    # hundred; mismatches_found counts them all.
    mismatches = models.JSONField(_("mismatches"), default=list, blank=True)
    mismatches_found = models.PositiveIntegerField(_("mismatches found"), default=0)

    class Meta:
        verbose_name = _("audit verification")
        verbose_name_plural = _("audit verifications")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {'ok' if self.ok else self.problem}"
