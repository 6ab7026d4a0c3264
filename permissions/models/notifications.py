"""The notification outbox, reminders sent, and each person's e-mail choices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", _("A request awaits your decision")
    RECEIPT = "receipt", _("Your request was submitted")
    FORWARDED = "forwarded", _("A request was forwarded to the next step")
    APPROVED = "approved", _("Your request was approved")
    REJECTED = "rejected", _("Your request was rejected")
    RETURNED = "returned", _("Your request was returned for clarification")
    WITHDRAWN = "withdrawn", _("A request was withdrawn")
    REVOKED = "revoked", _("Your approval was revoked")
    EXPIRED = "expired", _("An approval expired")
    EXPIRY_REMINDER = "expiry_reminder", _("An approval is about to expire")
    PENDING_REMINDER = "pending_reminder", _("A request has waited long for your decision")
    ESCALATED = "escalated", _("A request was escalated")
    DELEGATION_STARTED = "delegation_started", _("A delegation was given")
    DELEGATION_ENDED = "delegation_ended", _("A delegation ended")
    SECOND_FACTOR_RESET = "second_factor_reset", _("Your second factor was reset")
    INTEGRITY_ALERT = "integrity_alert", _("A record no longer matches the audit trail")
    AUDIT_HEAD = "audit_head", _("The audit trail's daily head")
    EXPORT_READY = "export_ready", _("An export is ready to download")
    REGISTER_DUE = "register_due", _("Your register of accounts and groups is due for confirmation")


# Decisions on a person's own request, and a change to how they sign in, always go out
# by e-mail, whatever they chose.
ALWAYS_EMAILED = frozenset(
    {
        NotificationKind.SECOND_FACTOR_RESET,
        NotificationKind.APPROVED,
        NotificationKind.REJECTED,
        NotificationKind.RETURNED,
        NotificationKind.REVOKED,
    }
)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    PORTAL_ONLY = "portal_only", _("Shown in the portal only")


class Notification(models.Model):
    """One message to one person, written in the same transaction as its cause."""

    # A person of the portal, or (the audit trail's daily head) an address outside it.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notifications",
        null=True,
        blank=True,
    )
    address = models.EmailField(_("address"), blank=True)
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    request = models.ForeignKey(
        "permissions.PermissionRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
    )
    dedupe_key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(max_length=250)
    body_text = models.TextField()
    body_html = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(recipient__isnull=False, address="")
                    | models.Q(recipient__isnull=True) & ~models.Q(address="")
                ),
                name="notification_one_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id or self.address}: {self.subject}"


class Reminder(models.Model):
    """One reminder sent: the unique constraint makes a repeated or overlapping run of a
    schedule unable to send the same reminder twice."""

    request = models.ForeignKey(
        "permissions.PermissionRequest", on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=30)
    key = models.CharField(
        max_length=60, help_text="Offset in days, or the date for daily reminders."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "kind", "key"], name="reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} {self.key}"


class EmailPreference(models.Model):
    """A kind of notification a person does not want by e-mail (still shown in the portal)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_opt_outs"
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="email_opt_out_once")]

    def __str__(self) -> str:
        return f"{self.user_id} no e-mail for {self.kind}"
