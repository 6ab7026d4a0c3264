"""Second factors in the admin: who has one, and one action, a reset after a lost phone,
which asks for a reason and goes through devices.reset (the chain and the e-mail).

django-otp's own admins are taken out: they show the secrets and QR codes of everyone's
apps to any administrator, and their delete would remove a factor unrecorded.
"""

from __future__ import annotations

from typing import cast

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..models import User
from . import devices
from .forms import ResetForm

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(TOTPDevice)
class SecondFactorAdmin(admin.ModelAdmin[TOTPDevice]):
    list_display = ["user", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    list_select_related = ["user"]
    ordering = ["user__username"]
    fields = readonly_fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    actions = ["reset_second_factor"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_reset_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("otp_totp.delete_totpdevice")

    @admin.action(
        description=_("Reset the second factor of the selected people"),
        permissions=["reset"],
    )
    def reset_second_factor(
        self, request: HttpRequest, queryset: QuerySet[TOTPDevice]
    ) -> TemplateResponse | None:
        people = list(User.objects.filter(pk__in=queryset.values("user_id")).order_by("username"))
        form = ResetForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            by = cast(User, request.user)
            for person in people:
                devices.reset(person, by=by, reason=form.cleaned_data["reason"], request=request)
            self.message_user(
                request,
                ngettext(
                    "The second factor of %(count)s person was reset; they were told by "
                    "e-mail and will set up the app again at their next sign-in.",
                    "The second factors of %(count)s people were reset; they were told by "
                    "e-mail and will set up the app again at their next sign-in.",
                    len(people),
                )
                % {"count": len(people)},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "twofactor/admin/reset.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reset second factors"),
                "opts": self.model._meta,
                "people": people,
                "form": form,
                "queryset": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )
