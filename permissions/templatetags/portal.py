"""Presentation helpers for the portal's templates."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from permissions.states import Status, label_of

register = template.Library()

BADGE_CLASSES: dict[str, str] = {
    Status.DRAFT: "text-bg-secondary",
    Status.PENDING: "text-bg-primary",
    Status.RETURNED: "text-bg-warning",
    Status.APPROVED: "text-bg-success",
    Status.REJECTED: "text-bg-danger",
    Status.WITHDRAWN: "text-bg-light border",
    Status.REVOKED: "text-bg-danger",
    Status.EXPIRED: "text-bg-dark",
}


@register.simple_tag
def status_badge(status: str) -> SafeString:
    label = label_of(Status, status)
    return format_html(
        '<span class="badge {}">{}</span>', BADGE_CLASSES.get(status, "text-bg-secondary"), label
    )
