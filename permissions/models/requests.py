"""Permission requests, their approval steps, routing rules, delegations and attachments."""

from __future__ import annotations

import datetime
import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ..states import FINAL, Status, StepStatus
from .translated import URDU, Translated, left_to_right


class ConductRule(Translated, models.Model):
    """A rule of the Government Servants (Conduct) Rules, 1964, kept as data so the
    Establishment Division can amend its wording without a release."""

    number = models.CharField(_("rule"), max_length=10, unique=True, help_text=_("e.g. 18 or 25-A"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("what it says"))
    title_ur = models.CharField(_("title in Urdu"), max_length=200, blank=True)
    summary_ur = models.TextField(_("what it says, in Urdu"), blank=True)
    in_declaration = models.BooleanField(
        _("in the applicant's declaration"),
        default=False,
        help_text=_("Applicants declare they have read and will comply with these rules."),
    )
    grounds_for_rejection = models.BooleanField(_("may be cited when rejecting"), default=True)
    sort_key = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("conduct rule")
        verbose_name_plural = _("conduct rules")
        ordering = ["sort_key", "number"]

    def __str__(self) -> str:
        return _("Rule %(number)s: %(title)s") % {
            "number": left_to_right(self.number),
            "title": self.local("title"),
        }


class PlatformCategory(models.TextChoices):
    TELEVISION = "television", _("Television")
    RADIO = "radio", _("Radio")
    PRINT = "print", _("Print (newspaper, magazine, book)")
    SOCIAL_MEDIA = "social_media", _("Social media")
    ONLINE_VIDEO = "online_video", _("Podcast or online video")
    PRESS_CONFERENCE = "press_conference", _("Press conference or media talk")
    BUSINESS_PROMOTION = "business_promotion", _("Business promotion")


class Platform(Translated, models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_ur = models.CharField(_("name in Urdu"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=30, choices=PlatformCategory.choices)
    is_active = models.BooleanField(_("offered to applicants"), default=True)
    sort_key = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        ordering = ["sort_key", "name"]

    def __str__(self) -> str:
        return self.local("name")


class Participation(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    TALK_SHOW = "talk_show", _("Talk show or panel")
    ARTICLE = "article", _("Article or op-ed")
    POST = "post", _("Post or account")
    LIVE_STREAM = "live_stream", _("Live stream")
    PRESS_CONFERENCE = "press_conference", _("Press conference or media talk")
    ADVERTISEMENT = "advertisement", _("Advertisement or endorsement")
    PUBLICATION = "publication", _("Book or publication")
    OTHER = "other", _("Other")


class Capacity(models.TextChoices):
    OFFICIAL = "official", _("Official capacity")
    PERSONAL = "personal", _("Personal capacity")


class AccountType(models.TextChoices):
    NOT_APPLICABLE = "", _("Not an account")
    PERSONAL = "personal", _("My personal account")
    OFFICIAL = "official", _("An official account")


class Timing(models.TextChoices):
    ONE_OFF = "one_off", _("On one date")
    PERIOD = "period", _("Over a period")


class StandardCondition(models.TextChoices):
    NO_OFFICIAL_INFORMATION = (
        "no_official_information",
        _("No official information or document may be disclosed (Rule 18)."),
    )
    PERSONAL_VIEWS = (
        "personal_views",
        _("The views expressed are personal and must be stated to be so."),
    )
    NO_DESIGNATION = (
        "no_designation",
        _("No designation, official logo or uniform may be used or shown."),
    )
    PRE_CLEARED_ONLY = (
        "pre_cleared_only",
        _("Only the pre-cleared script, article or post may be used, without changes."),
    )
    REPORT_AFTERWARDS = (
        "report_afterwards",
        _("The link or recording must be reported to the reporting officer afterwards."),
    )


class ReferenceSequence(models.Model):
    """The last reference number issued in each year; references are never reused."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("reference sequence")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class PermissionRequest(models.Model):
    """One request for permission to take part in a media platform."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="permission_requests",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    round = models.PositiveSmallIntegerField(
        _("submission round"),
        default=0,
        editable=False,
        help_text=_("Increases at every submission and resubmission."),
    )
    current_step = models.PositiveSmallIntegerField(
        _("current step"), null=True, blank=True, editable=False
    )
    renews = models.ForeignKey(
        "self",
        verbose_name=_("renews"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
    )

    # What, where, when.
    platform = models.ForeignKey(Platform, verbose_name=_("platform"), on_delete=models.PROTECT)
    participation = models.CharField(
        _("kind of participation"), max_length=30, choices=Participation.choices
    )
    outlet = models.CharField(
        _("outlet, programme or handle"),
        max_length=200,
        blank=True,
        help_text=_("The channel and programme, newspaper, page, group or account handle."),
    )
    outlet_url = models.URLField(_("link"), max_length=500, blank=True)
    topic = models.CharField(_("topic"), max_length=200)
    summary = models.TextField(
        _("what will be said or posted"),
        blank=True,
        help_text=_("A summary of the points you will make, or the text of the post."),
    )
    # Blank only in a draft: the applicant states it before submitting.
    capacity = models.CharField(
        _("capacity"), max_length=20, choices=Capacity.choices, blank=True, default=""
    )
    account_type = models.CharField(
        _("account"), max_length=20, choices=AccountType.choices, blank=True, default=""
    )
    administers_group = models.BooleanField(
        _("I administer the group, page or channel"),
        default=False,
        help_text=_("An administrator answers for what others post in the group."),
    )
    timing = models.CharField(
        _("when"), max_length=20, choices=Timing.choices, default=Timing.ONE_OFF
    )
    event_at = models.DateTimeField(_("date and time"), null=True, blank=True)
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("until"), null=True, blank=True)

    # Rule 18.
    official_information = models.BooleanField(
        _("official information or documents are involved"), default=False
    )
    official_information_justification = models.TextField(
        _("why official information is involved"), blank=True
    )
    honorarium = models.BooleanField(_("an honorarium or fee is offered"), default=False)
    honorarium_amount = models.DecimalField(
        _("honorarium (PKR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    # The declaration, as signed at submission.
    declaration_rules = models.CharField(_("rules declared"), max_length=200, blank=True)
    declared_at = models.DateTimeField(_("declaration signed"), null=True, blank=True)

    # The applicant as they were when they submitted.
    applicant_designation = models.CharField(max_length=150, blank=True)
    applicant_bps = models.PositiveSmallIntegerField(null=True, blank=True)
    applicant_organisation = models.ForeignKey(
        "permissions.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # The decision.
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    conditions_text = models.TextField(_("further conditions"), blank=True)
    decision_reason = models.TextField(_("reasons"), blank=True)
    decision_rule = models.ForeignKey(
        ConductRule,
        verbose_name=_("rule cited"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The grounds cited with a rejection or return, as they were worded then
    # (Ground.citation): the applicant reads what the officer chose.
    decision_grounds = models.JSONField(_("grounds cited"), default=list, blank=True)

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("permission request")
        verbose_name_plural = _("permission requests")
        permissions = [("revoke_approval", _("Can revoke any approval (auditors)"))]
        indexes = [
            models.Index(
                fields=["applicant", "-created_at", "-id"], name="request_applicant_recent"
            ),
            models.Index(fields=["status", "valid_until"], name="request_status_validity"),
            models.Index(fields=["-created_at", "-id"], name="request_recent"),
            # The audit console's other sorts have PostgreSQL-only indexes (empty values
            # last, which SQLite cannot index): migration 0007.
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="request_status_known"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="request_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.topic}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    @property
    def condition_labels(self) -> list[str]:
        labels = dict(StandardCondition.choices)
        return [str(labels.get(code, code)) for code in self.conditions]

    @cached_property
    def cited_grounds(self) -> list[dict[str, Any]]:
        """The grounds cited, as the page's language reads them: on an Urdu page a ground
        whose English still reads as cited is shown in its Urdu (one query); otherwise,
        and always on the chain, in the words cited."""
        cited = [ground for ground in self.decision_grounds or [] if isinstance(ground, dict)]
        if not cited or translation.get_language() != URDU:
            return cited
        from .grounds import Ground

        now = Ground.objects.in_bulk([ground.get("id") for ground in cited])
        shown = []
        for ground in cited:
            current = now.get(ground.get("id"))
            if current is not None and current.title == ground.get("title") and current.title_ur:
                ground = {
                    **ground,
                    "title": current.title_ur,
                    "explanation": current.explanation_ur or ground.get("explanation", ""),
                }
            shown.append(ground)
        return shown

    @cached_property
    def current_round_steps(self) -> list[ApprovalStep]:
        return sorted(
            (step for step in self.steps.all() if step.round == self.round),
            key=lambda step: step.order,
        )


class ApprovalStep(models.Model):
    """One level of a request's approval chain, held by one officer or by a group."""

    request = models.ForeignKey(PermissionRequest, on_delete=models.CASCADE, related_name="steps")
    round = models.PositiveSmallIntegerField()
    order = models.PositiveSmallIntegerField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approval_steps",
    )
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approval_steps",
    )
    reason = models.CharField(_("why this step"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.WAITING
    )
    started_at = models.DateTimeField(_("awaiting since"), null=True, blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acted_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acted_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    escalated_from = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    escalations = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["request", "round", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "round", "order"], name="step_unique_position"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(assignee__isnull=False, group__isnull=True)
                    | models.Q(assignee__isnull=True, group__isnull=False)
                ),
                name="step_held_by_officer_or_group",
            ),
        ]
        indexes = [
            models.Index(fields=["assignee", "status", "started_at"], name="step_inbox_officer"),
            models.Index(fields=["group", "status", "started_at"], name="step_inbox_group"),
            models.Index(fields=["status", "started_at"], name="step_overdue"),
            models.Index(fields=["acted_by", "-acted_at"], name="step_decided_by"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} r{self.round} step {self.order}"

    @property
    def holder_label(self) -> str:
        if self.assignee is not None:
            return str(self.assignee)
        return str(self.group)


class DelegationQuerySet(models.QuerySet["Delegation"]):
    def active_on(self, day: datetime.date) -> DelegationQuerySet:
        """Delegations that let their delegate act on `day`: begun, not past their last
        day, and not ended early. Ending early takes effect at once, so a delegation
        ended today no longer counts today. Every check of who may act for whom goes
        through here."""
        return self.filter(starts_on__lte=day, ends_on__gte=day, cancelled_at__isnull=True)

    def ended_by_themselves(
        self, *, since: datetime.date, before: datetime.date
    ) -> DelegationQuerySet:
        """Delegations whose last day fell in [since, before) and that ran to it."""
        return self.filter(ends_on__gte=since, ends_on__lt=before, cancelled_at__isnull=True)

    def not_over(self, day: datetime.date) -> DelegationQuerySet:
        """Delegations running on `day` or still to come, not ended early."""
        return self.filter(ends_on__gte=day, cancelled_at__isnull=True)


class Delegation(models.Model):
    """Officer A lets officer B act on A's steps between two dates (leave, tour)."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on behalf of"),
        on_delete=models.PROTECT,
        related_name="delegations_given",
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delegate"),
        on_delete=models.PROTECT,
        related_name="delegations_received",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    cancelled_at = models.DateTimeField(_("ended early"), null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="delegation_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~models.Q(delegate=models.F("delegator")),
                name="delegation_not_to_self",
            ),
        ]
        indexes = [
            models.Index(fields=["delegate", "starts_on", "ends_on"], name="delegation_active"),
        ]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate} ({self.starts_on} to {self.ends_on})"


class RoutingRule(models.Model):
    """Adds an approval step when a request matches. Empty criteria match everything."""

    class Target(models.TextChoices):
        COUNTERSIGNING_OFFICER = (
            "countersigning_officer",
            _("The applicant's countersigning officer"),
        )
        GROUP = "group", _("A named group (any member may act)")

    class YesNoAny(models.TextChoices):
        ANY = "", _("Either")
        YES = "yes", _("Yes")
        NO = "no", _("No")

    name = models.CharField(_("name"), max_length=150)
    is_active = models.BooleanField(_("active"), default=True)
    priority = models.PositiveSmallIntegerField(
        _("order"), default=10, help_text=_("Steps are added in this order, lowest first.")
    )
    platform_categories = models.JSONField(
        _("platform categories"),
        default=list,
        blank=True,
        help_text=_("Match any of these; none ticked matches every category."),
    )
    participations = models.JSONField(
        _("kinds of participation"),
        default=list,
        blank=True,
        help_text=_("Match any of these; none ticked matches every kind."),
    )
    bps_min = models.PositiveSmallIntegerField(_("BPS from"), null=True, blank=True)
    bps_max = models.PositiveSmallIntegerField(_("BPS up to"), null=True, blank=True)
    official_information = models.CharField(
        _("official information involved"), max_length=3, choices=YesNoAny.choices, blank=True
    )
    capacity = models.CharField(_("capacity"), max_length=20, choices=Capacity.choices, blank=True)
    target = models.CharField(_("add a step for"), max_length=30, choices=Target.choices)
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(target="group") | models.Q(group__isnull=False),
                name="routing_group_target_has_group",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if self.target == self.Target.GROUP and self.group_id is None:
            raise ValidationError({"group": _("Choose the group that will hold this step.")})
        if self.bps_min and self.bps_max and self.bps_min > self.bps_max:
            raise ValidationError({"bps_max": _("'BPS up to' must not be below 'BPS from'.")})


def attachment_path(instance: Attachment, filename: str) -> str:
    """A server-generated name: the uploader's file name never reaches the disk."""
    suffix = PurePath(filename).suffix.lower()
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class PrivateStorage(FileSystemStorage):
    """Files under MEDIA_ROOT (read when used, so it follows the setting) with no public
    URL: attachments are served only by a view that checks who is asking."""

    def url(self, name: str | None) -> str:
        raise ValueError("Attachments have no public URL; use the download view.")


def private_storage() -> FileSystemStorage:
    return PrivateStorage()


class Attachment(models.Model):
    request = models.ForeignKey(
        PermissionRequest, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, storage=private_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
