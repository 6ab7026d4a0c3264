from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import outbox, workflow
from .audit import origin_of
from .models import (
    ApprovalStep,
    AuditEvent,
    ConductRule,
    Delegation,
    Notification,
    Organisation,
    PermissionRequest,
    Platform,
    RoutingRule,
    User,
)
from .models.requests import Participation, PlatformCategory
from .workflow import WorkflowError


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "code", "kind", "parent"]
    list_filter = ["kind", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = [
        "username",
        "get_full_name",
        "designation",
        "bps",
        "organisation",
        "reporting_officer",
        "is_active",
    ]
    list_filter = [
        "is_active",
        "is_staff",
        "groups",
        "bps",
        "service_group",
        ("organisation", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["username", "first_name", "last_name", "email", "designation"]
    list_select_related = ["organisation", "reporting_officer"]
    autocomplete_fields = ["organisation", "reporting_officer", "countersigning_officer"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            _("Service"),
            {
                "fields": (
                    "designation",
                    "bps",
                    "service_group",
                    "organisation",
                    "reporting_officer",
                    "countersigning_officer",
                )
            },
        ),
    )
    add_fieldsets = (
        *(UserAdmin.add_fieldsets or ()),
        (
            _("Service"),
            {
                "fields": (
                    "first_name",
                    "last_name",
                    "email",
                    "designation",
                    "bps",
                    "service_group",
                    "organisation",
                    "reporting_officer",
                    "countersigning_officer",
                )
            },
        ),
    )


@admin.register(ConductRule)
class ConductRuleAdmin(admin.ModelAdmin[ConductRule]):
    list_display = ["number", "title", "in_declaration", "grounds_for_rejection", "is_active"]
    list_filter = ["is_active", "in_declaration", "grounds_for_rejection"]
    search_fields = ["number", "title", "summary"]
    list_editable = ["is_active"]


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin[Platform]):
    list_display = ["name", "category", "is_active", "sort_key"]
    list_filter = ["category", "is_active"]
    search_fields = ["name"]
    list_editable = ["is_active", "sort_key"]


class RoutingRuleForm(forms.ModelForm[RoutingRule]):
    platform_categories = forms.MultipleChoiceField(
        label=_("Platform categories"),
        choices=PlatformCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked matches every category."),
    )
    participations = forms.MultipleChoiceField(
        label=_("Kinds of participation"),
        choices=Participation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked matches every kind."),
    )

    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "is_active",
            "priority",
            "platform_categories",
            "participations",
            "bps_min",
            "bps_max",
            "official_information",
            "capacity",
            "target",
            "group",
        ]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin[RoutingRule]):
    form = RoutingRuleForm
    list_display = ["name", "priority", "target", "group", "is_active"]
    list_filter = ["is_active", "target"]
    search_fields = ["name"]
    list_select_related = ["group"]


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin[Delegation]):
    list_display = ["delegator", "delegate", "starts_on", "ends_on", "cancelled_at"]
    search_fields = ["delegator__last_name", "delegate__last_name"]
    list_select_related = ["delegator", "delegate"]
    autocomplete_fields = ["delegator", "delegate"]
    date_hierarchy = "starts_on"


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StepInline(ReadOnlyInline):
    model = ApprovalStep
    fields = readonly_fields = (
        "round",
        "order",
        "assignee",
        "group",
        "reason",
        "status",
        "acted_by",
        "acted_for",
    )


class AuditInline(ReadOnlyInline):
    model = AuditEvent
    fields = readonly_fields = (
        "created_at",
        "action",
        "actor",
        "acting_for",
        "from_status",
        "to_status",
        "comment",
    )


@admin.register(PermissionRequest)
class PermissionRequestAdmin(admin.ModelAdmin[PermissionRequest]):
    """Read-only: state changes only through the actions below, which use the workflow."""

    list_display = ["reference", "applicant", "platform", "topic", "status", "created_at"]
    list_filter = ["status", "platform__category", "capacity", "official_information"]
    search_fields = ["reference", "topic", "outlet", "applicant__last_name"]
    list_select_related = ["applicant", "platform"]
    date_hierarchy = "created_at"
    inlines = [StepInline, AuditInline]
    actions = ["expire_lapsed", "escalate_overdue"]
    show_full_result_count = False
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _run(
        self,
        request: HttpRequest,
        queryset: QuerySet[PermissionRequest],
        action: Callable[..., PermissionRequest],
        done: Any,
    ) -> None:
        succeeded, refused = 0, []
        origin = origin_of(request)
        for pk, reference in queryset.values_list("pk", "reference"):
            try:
                action(pk, origin=origin)
            except WorkflowError as error:
                refused.append(f"{reference}: {error.message}")
            else:
                succeeded += 1
        self.message_user(request, done % {"count": succeeded}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description=_("Expire approvals whose validity has ended"))
    def expire_lapsed(self, request: HttpRequest, queryset: QuerySet[PermissionRequest]) -> None:
        self._run(request, queryset, workflow.expire, _("%(count)s approvals expired."))

    @admin.action(description=_("Escalate overdue steps to the next officer up"))
    def escalate_overdue(self, request: HttpRequest, queryset: QuerySet[PermissionRequest]) -> None:
        self._run(request, queryset, workflow.escalate, _("%(count)s steps escalated."))


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    """The outbox: failed deliveries are visible here and can be tried again."""

    list_display = ["created_at", "recipient", "kind", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["subject", "recipient__username", "recipient__last_name", "dedupe_key"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["retry"]
    readonly_fields = [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Try the failed ones again"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = outbox.retry_failed(queryset.values_list("pk", flat=True))
        self.message_user(
            request, _("%(count)s notifications will be sent again.") % {"count": count}
        )
