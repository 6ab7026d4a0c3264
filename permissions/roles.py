"""What a signed-in person is to the portal: servant, officer, auditor, administrator."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from .models import AUDITORS_GROUP, Delegation, Notification, RoutingRule, User


@dataclass(frozen=True)
class Roles:
    servant: bool
    officer: bool
    auditor: bool
    admin: bool
    unread_notifications: int = 0

    @property
    def home_url_name(self) -> str:
        if self.auditor:
            return "audit-console"
        if self.officer:
            return "inbox"
        return "my-requests"


def roles_of(user: User) -> Roles:
    """All four flags in one query, with EXISTS sub-queries. An officer is anyone who
    may be asked to decide: someone reports to them, a delegation to them runs today, or
    they belong to a group that routing rules send requests to."""
    today = timezone.localdate()
    flags = (
        User.objects.filter(pk=user.pk)
        .annotate(
            in_audit_group=Exists(Group.objects.filter(user=OuterRef("pk"), name=AUDITORS_GROUP)),
            decides=Exists(User.objects.filter(reporting_officer=OuterRef("pk")))
            | Exists(User.objects.filter(countersigning_officer=OuterRef("pk")))
            | Exists(Delegation.objects.active_on(today).filter(delegate=OuterRef("pk")))
            | Exists(RoutingRule.objects.filter(is_active=True, group__user=OuterRef("pk"))),
        )
        .annotate(
            # Fetched with the roles so the navigation's unread badge costs no query.
            unread=Coalesce(
                Subquery(
                    Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
                    .values("recipient")
                    .annotate(count=Count("pk"))
                    .values("count")[:1]
                ),
                0,
            )
        )
        .values("in_audit_group", "decides", "unread")
        .first()
    ) or {"in_audit_group": False, "decides": False, "unread": 0}
    return Roles(
        servant=user.bps is not None,
        officer=bool(flags["decides"]),
        auditor=bool(flags["in_audit_group"]),
        admin=user.is_staff,
        unread_notifications=int(flags["unread"]),
    )


def request_roles(request: HttpRequest) -> Roles | None:
    """The signed-in person's roles, computed once per HTTP request."""
    user = request.user
    if not user.is_authenticated:
        return None
    return roles_for(user)


def roles_for(user: User) -> Roles:
    """The person's roles, looked up once for this user object: the one an HTTP request
    carries lives exactly as long as the request, so the middleware, the selectors and
    the navigation share one look-up. Code that changes a person's groups or
    delegations and asks again in the same breath uses roles_of."""
    cached: Roles | None = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = roles_of(user)
        user._portal_roles = cached  # type: ignore[attr-defined]
    return cached
