"""The help pages. Every figure they quote (how long a step may wait, when reminders go,
how long an approval may run) is read from the settings that govern it, and the rules
from the rows the Establishment Division keeps in the admin, so the help never says
something the portal no longer does."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from permissions import selectors
from permissions.models.requests import StandardCondition
from permissions.roles import Roles, request_roles

Audience = Literal["servant", "officer", "auditor"]


@dataclass(frozen=True)
class Guide:
    audience: Audience
    url_name: str
    title: Promise
    summary: Promise


GUIDES: tuple[Guide, ...] = (
    Guide(
        "servant",
        "help-servants",
        _("Help for government servants"),
        _(
            "What the Conduct Rules require before you appear in the media, what to put in "
            "a request, how long a decision takes and what happens after."
        ),
    ),
    Guide(
        "officer",
        "help-officers",
        _("Help for reporting and countersigning officers"),
        _(
            "How to decide a request, the conditions you can set, letting someone act for "
            "you while you are away, and the second factor."
        ),
    ),
    Guide(
        "auditor",
        "help-auditors",
        _("Help for the Establishment Division's auditors"),
        _(
            "The audit console: searching every request, the audit log, checking the "
            "audit chain and exporting the approval history."
        ),
    ),
)
_BY_AUDIENCE = {guide.audience: guide for guide in GUIDES}


@dataclass(frozen=True)
class GuideLink:
    guide: Guide
    is_yours: bool


def _is_yours(roles: Roles | None, audience: Audience) -> bool:
    if roles is None:
        return False
    return {"servant": roles.servant, "officer": roles.officer, "auditor": roles.auditor}[audience]


def guide_links(roles: Roles | None) -> list[GuideLink]:
    """The three guides, the person's own first (in the order above), then the others."""
    links = [GuideLink(guide, _is_yours(roles, guide.audience)) for guide in GUIDES]
    return sorted(links, key=lambda link: not link.is_yours)


@dataclass(frozen=True)
class Contact:
    office: str
    email: str
    phone: str
    hours: str

    @property
    def phone_href(self) -> str:
        """The number as a tel: link dials it: the plus sign and the digits alone."""
        return "tel:" + re.sub(r"[^0-9+]", "", self.phone)

    @property
    def is_set(self) -> bool:
        return bool(self.email or self.phone)


def portal_contact() -> Contact:
    return Contact(
        office=settings.PORTAL_CONTACT_OFFICE,
        email=settings.PORTAL_CONTACT_EMAIL,
        phone=settings.PORTAL_CONTACT_PHONE,
        hours=settings.PORTAL_HELP_DESK_HOURS,
    )


def _page(request: HttpRequest, template: str, **context: Any) -> HttpResponse:
    roles = request_roles(request)
    return render(
        request,
        template,
        {"guides": guide_links(roles), "contact": portal_contact(), **context},
    )


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    return _page(
        request, "help/overview.html", signin_cooloff_minutes=settings.SIGNIN_COOLOFF_MINUTES
    )


@require_safe
def contact(request: HttpRequest) -> HttpResponse:
    return _page(request, "help/contact.html")


def _figures() -> dict[str, Any]:
    """The settings the guides quote, under the names the templates use."""
    return {
        "reminder_working_days": settings.PENDING_REMINDER_WORKING_DAYS,
        "overdue_days": settings.INBOX_OVERDUE_DAYS,
        "escalate_days": settings.ESCALATE_AFTER_DAYS,
        "expiry_reminder_days": settings.EXPIRY_REMINDER_DAYS,
        "approval_max_days": settings.APPROVAL_MAX_DAYS,
        "attachment_max_bytes": settings.ATTACHMENT_MAX_BYTES,
        "attachments_per_request": settings.ATTACHMENTS_PER_REQUEST,
        "remember_hours": settings.SECOND_FACTOR_REMEMBER_HOURS,
        "backup_codes": settings.SECOND_FACTOR_BACKUP_CODES,
        "export_direct_max_rows": settings.EXPORT_DIRECT_MAX_ROWS,
        "export_keep_days": settings.EXPORT_KEEP_DAYS,
        "dashboard_refresh_minutes": settings.DASHBOARD_REFRESH_MINUTES,
    }


@require_safe
@login_required
def guide(request: HttpRequest, audience: Audience) -> HttpResponse:
    context: dict[str, Any] = {"guide": _BY_AUDIENCE[audience], **_figures()}
    if audience == "servant":
        context["rules"] = selectors.rules_for_guidance()
    if audience == "officer":
        context["conditions"] = StandardCondition.choices
        context["rejection_rules"] = selectors.rejection_rules()
    return _page(request, f"help/{audience}.html", **context)
