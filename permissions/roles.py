"""What a signed-in person is to the portal: servant, officer, auditor, administrator."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from django.http import HttpRequest

from .models import AUDITORS_GROUP, User


@dataclass(frozen=True)
class Roles:
    servant: bool
    officer: bool
    auditor: bool
    admin: bool

    @property
    def home_url_name(self) -> str:
        if self.auditor:
            return "audit-console"
        if self.officer:
            return "inbox"
        return "my-requests"


def roles_of(user: User) -> Roles:
    """All four flags in one query, with EXISTS sub-queries."""
    flags = (
        User.objects.filter(pk=user.pk)
        .annotate(
            in_audit_group=Exists(Group.objects.filter(user=OuterRef("pk"), name=AUDITORS_GROUP)),
            has_reports=Exists(User.objects.filter(reporting_officer=OuterRef("pk")))
            | Exists(User.objects.filter(countersigning_officer=OuterRef("pk"))),
        )
        .values("in_audit_group", "has_reports")
        .first()
    ) or {"in_audit_group": False, "has_reports": False}
    return Roles(
        servant=user.bps is not None,
        officer=bool(flags["has_reports"]),
        auditor=bool(flags["in_audit_group"]),
        admin=user.is_staff,
    )


def request_roles(request: HttpRequest) -> Roles | None:
    """The signed-in person's roles, computed once per HTTP request."""
    user = request.user
    if not user.is_authenticated:
        return None
    cached: Roles | None = getattr(request, "_portal_roles", None)
    if cached is None:
        cached = roles_of(user)
        request._portal_roles = cached  # type: ignore[attr-defined]
    return cached
