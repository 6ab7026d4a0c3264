"""Reads of the register: one's own entries, and the auditors' search across
organisations."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from permissions.models import User

from .models import Confirmation, OnlineGroup, SocialAccount

# The register is declared again each year (O.M. of 2 September 2024).
REDECLARE_AFTER = datetime.timedelta(days=365)


def accounts_of(*, owner: User) -> list[SocialAccount]:
    return list(
        SocialAccount.objects.filter(owner=owner, removed_at=None)
        .select_related("platform", "permission")
        .order_by("platform__sort_key", "handle", "pk")
    )


def groups_of(*, owner: User) -> list[OnlineGroup]:
    return list(
        OnlineGroup.objects.filter(owner=owner, removed_at=None)
        .select_related("platform", "permission")
        .order_by("platform__sort_key", "name", "pk")
    )


def last_confirmed(*, owner: User) -> datetime.datetime | None:
    latest = Confirmation.objects.filter(owner=owner).order_by("-confirmed_at").first()
    return latest.confirmed_at if latest else None


def confirmation_due(*, owner: User) -> bool:
    confirmed = last_confirmed(owner=owner)
    return confirmed is None or timezone.now() - confirmed >= REDECLARE_AFTER


@dataclass(frozen=True)
class RegisterSearch:
    kind: str  # "account" or "group"
    text: str = ""
    platform_id: int | None = None
    official: bool | None = None
    administers_only: bool = False
    include_removed: bool = False


def search(criteria: RegisterSearch) -> QuerySet[SocialAccount] | QuerySet[OnlineGroup]:
    """Entries across every organisation matching `criteria`, with their owner, the
    owner's organisation and the request for permission."""
    related = ("platform", "owner", "owner__organisation", "permission")
    if criteria.kind == "group":
        groups = OnlineGroup.objects.select_related(*related)
        if criteria.text:
            groups = groups.filter(Q(name__icontains=criteria.text))
        if criteria.official is not None:
            groups = groups.filter(official=criteria.official)
        if criteria.administers_only:
            groups = groups.filter(role="administer")
        queryset: QuerySet[SocialAccount] | QuerySet[OnlineGroup] = groups
    else:
        accounts = SocialAccount.objects.select_related(*related)
        if criteria.text:
            accounts = accounts.filter(handle__icontains=criteria.text)
        if criteria.official is not None:
            accounts = accounts.filter(capacity="official" if criteria.official else "personal")
        queryset = accounts
    if criteria.platform_id:
        queryset = queryset.filter(platform_id=criteria.platform_id)
    if not criteria.include_removed:
        queryset = queryset.filter(removed_at=None)
    return queryset
