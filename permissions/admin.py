from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db import models, router, transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import outbox, security, services, workflow
from .audit import origin_of
from .errors import WorkflowError
from .models import (
    ApprovalStep,
    AuditEvent,
    ConductRule,
    Delegation,
    Ground,
    Instruction,
    Notification,
    Organisation,
    PermissionRequest,
    Platform,
    RoutingRule,
    User,
)
from .models.requests import DelegationQuerySet, Participation, PlatformCategory
from .states import Action

_ModelT = TypeVar("_ModelT", bound=models.Model)

# Where save_related() leaves what it saw change in the audited relations, for the
# log_addition() or log_change() that follows it on the same object.
_RELATION_CHANGES = "_audited_relation_changes"


class AuditedAdmin(admin.ModelAdmin[_ModelT]):
    """Every addition, change and deletion made through this admin is also an event on
    the audit chain, in the transaction that makes the change: the admin's add, change
    and delete views and the list's in-place edits are atomic already; the actions (bulk
    delete among them) are made so here.

    Django's own LogEntry is still written; the admin's history pages read it, but
    anyone who can write that table can rewrite it, so the chain is the record."""

    # Many-to-many fields whose additions and removals are recorded by name; the admin's
    # change message only says that such a field changed.
    audited_relations: tuple[str, ...] = ()

    def save_related(
        self, request: HttpRequest, form: ModelForm[_ModelT], formsets: Any, change: bool
    ) -> None:
        obj = form.instance
        before = {name: _related_names(obj, name) for name in self.audited_relations}
        super().save_related(request, form, formsets, change)
        changed: dict[str, dict[str, list[str]]] = {}
        for name, previous in before.items():
            now = _related_names(obj, name)
            if now != previous:
                changed[name] = {
                    "added": sorted(now - previous),
                    "removed": sorted(previous - now),
                }
        setattr(obj, _RELATION_CHANGES, changed)

    def log_addition(self, request: HttpRequest, obj: _ModelT, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)
        security.admin_changed(
            Action.ADMIN_ADD,
            request=request,
            obj=obj,
            changes=message,
            relations=getattr(obj, _RELATION_CHANGES, None),
        )
        return entry

    def log_change(self, request: HttpRequest, obj: _ModelT, message: Any) -> Any:
        entry = super().log_change(request, obj, message)
        security.admin_changed(
            Action.ADMIN_CHANGE,
            request=request,
            obj=obj,
            changes=message,
            relations=getattr(obj, _RELATION_CHANGES, None),
        )
        return entry

    # Django 5.1+ logs every deletion, single or bulk, through log_deletions(); the
    # older log_deletion() is deprecated and no longer called unless overridden.
    # (The delete view passes a list of one, the delete action a queryset.)
    def log_deletions(self, request: HttpRequest, queryset: QuerySet[_ModelT]) -> Any:
        objects = list(queryset)  # one query, shared with the LogEntry rows
        entries = super().log_deletions(request, queryset)
        for obj in objects:
            security.admin_changed(Action.ADMIN_DELETE, request=request, obj=obj)
        return entries

    def response_action(
        self, request: HttpRequest, queryset: QuerySet[_ModelT]
    ) -> HttpResponse | None:
        # Django runs admin actions outside a transaction; "delete selected" logs the
        # deletions and then deletes, so both must commit or neither.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().response_action(request, queryset)


def _related_names(obj: models.Model, name: str) -> set[str]:
    if obj.pk is None:
        return set()
    return {str(related) for related in getattr(obj, name).all()}


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin[Organisation]):
    list_display = ["name", "code", "kind", "parent"]
    list_filter = ["kind", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(User)
class PortalUserAdmin(AuditedAdmin[User], UserAdmin[User]):
    # Who is an auditor, or may act for a group routing rules name, is group membership.
    audited_relations = ("groups", "user_permissions")

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

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # Unlike the add and change views, Django does not make this one atomic: the new
        # password and its audit event must commit together.
        if request.method != "POST":
            return super().user_change_password(request, id, form_url)
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().user_change_password(request, id, form_url)


admin.site.unregister(Group)


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdmin[Group], GroupAdmin):
    """Groups decide who audits and who acts for the media cell: renaming one, or giving
    it a permission, is audited like any other change."""

    audited_relations = ("permissions",)


@admin.register(ConductRule)
class ConductRuleAdmin(AuditedAdmin[ConductRule]):
    list_display = ["number", "title", "in_declaration", "grounds_for_rejection", "is_active"]
    list_filter = ["is_active", "in_declaration", "grounds_for_rejection"]
    search_fields = ["number", "title", "summary"]
    list_editable = ["is_active"]


class GroundForm(forms.ModelForm[Ground]):
    platform_categories = forms.MultipleChoiceField(
        label=_("Platform categories"),
        choices=PlatformCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Shown beside requests for these; none ticked bears on every category."),
    )

    class Meta:
        model = Ground
        fields = [
            "title",
            "title_ur",
            "explanation",
            "explanation_ur",
            "rule",
            "paragraph",
            "platform_categories",
            "is_active",
            "sort_key",
        ]


@admin.register(Ground)
class GroundAdmin(AuditedAdmin[Ground]):
    """The grounds of the memorandum: the applicant's declaration and hints, and the
    reasons officers cite, are built from the active ones."""

    form = GroundForm
    list_display = ["title", "rule", "paragraph", "is_active", "sort_key"]
    list_filter = ["is_active", "rule", "paragraph"]
    search_fields = ["title", "explanation", "paragraph"]
    list_editable = ["is_active", "sort_key"]
    list_select_related = ["rule"]
    ordering = ["sort_key", "title"]


@admin.register(Instruction)
class InstructionAdmin(AuditedAdmin[Instruction]):
    list_display = ["kind", "reference", "dated", "title", "is_active", "sort_key"]
    list_filter = ["is_active", "kind"]
    search_fields = ["reference", "title"]
    list_editable = ["is_active", "sort_key"]
    ordering = ["sort_key", "dated"]


@admin.register(Platform)
class PlatformAdmin(AuditedAdmin[Platform]):
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
class RoutingRuleAdmin(AuditedAdmin[RoutingRule]):
    form = RoutingRuleForm
    list_display = ["name", "priority", "target", "group", "is_active"]
    list_filter = ["is_active", "target"]
    search_fields = ["name"]
    list_select_related = ["group"]


@admin.register(Delegation)
class DelegationAdmin(AuditedAdmin[Delegation]):
    """Delegations are given and ended by the officers themselves (their profile page),
    through the delegation service, which checks, audits and tells both officers. The
    admin can look, and end one early through the same service; it cannot make, edit or
    delete one, which would skip all of that."""

    list_display = ["delegator", "delegate", "starts_on", "ends_on", "cancelled_at"]
    list_filter = ["starts_on", "ends_on"]
    search_fields = ["delegator__last_name", "delegate__last_name"]
    list_select_related = ["delegator", "delegate"]
    date_hierarchy = "starts_on"
    actions = ["end_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_end_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("permissions.change_delegation")

    @admin.action(description=_("End the selected delegations now"), permissions=["end"])
    def end_now(self, request: HttpRequest, queryset: DelegationQuerySet) -> None:
        origin = origin_of(request)
        ended = 0
        # Lock every selected row before the first audit append takes the chain's lock,
        # in the order an officer ending one of them takes the same two locks (row,
        # then chain): otherwise the two could wait on each other.
        delegations = list(
            queryset.not_over(timezone.localdate()).select_for_update().order_by("pk")
        )
        for delegation in delegations:
            services.delegation_end(
                delegation=delegation,
                by=cast(User, request.user),
                origin=origin,
                as_administrator=True,
            )
            ended += 1
        self.message_user(
            request,
            _("%(count)s delegations ended; both officers of each have been told.")
            % {"count": ended},
            messages.SUCCESS,
        )


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

    @admin.action(description=_("Escalate overdue steps to the officers above"))
    def escalate_overdue(self, request: HttpRequest, queryset: QuerySet[PermissionRequest]) -> None:
        self._run(request, queryset, workflow.escalate_overdue, _("%(count)s steps escalated."))


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
