from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Organisation, User


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
