"""Failed sign-ins in the admin: read only, with one action, lifting a lock, which goes
through lockout.lock_lift and so onto the audit chain."""

from __future__ import annotations

from typing import cast

from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..audit import origin_of
from ..models import User
from .lockout import lock_lift

# Axes registers its own admin, whose delete would lift a lock unrecorded.
if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class FailedSignInAdmin(admin.ModelAdmin[AccessAttempt]):
    list_display = ["username", "ip_address", "failures_since_start", "attempt_time"]
    list_filter = ["attempt_time"]
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    fields = readonly_fields = (
        "username",
        "ip_address",
        "user_agent",
        "failures_since_start",
        "attempt_time",
    )
    actions = ["unlock"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_unlock_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("axes.delete_accessattempt")

    @admin.action(
        description=_("Lift the lock on the selected accounts and addresses"),
        permissions=["unlock"],
    )
    def unlock(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        origin = origin_of(request)
        lifted = 0
        for attempt in list(queryset.order_by("pk")):
            lock_lift(attempt=attempt, by=cast(User, request.user), origin=origin)
            lifted += 1
        self.message_user(
            request,
            ngettext(
                "%(count)s lock lifted; the person may sign in again at once.",
                "%(count)s locks lifted; those people may sign in again at once.",
                lifted,
            )
            % {"count": lifted},
            messages.SUCCESS,
        )
