"""Reads: every non-trivial query the views and tasks use lives here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .authority import delegators_of, steps_awaiting
from .models import (
    ApprovalStep,
    Attachment,
    AuditEvent,
    ConductRule,
    Delegation,
    EmailPreference,
    Notification,
    PermissionRequest,
    User,
)
from .paging import Page, SortKey, page
from .roles import roles_for
from .states import REQUEST_ACTIONS, Status

NEWEST = SortKey.newest("created_at")


def person_profile(*, user_id: int) -> User:
    return User.objects.select_related(
        "organisation",
        "organisation__parent",
        "reporting_officer",
        "countersigning_officer",
    ).get(pk=user_id)


def _request_list_base() -> QuerySet[PermissionRequest]:
    current = ApprovalStep.objects.filter(
        request=OuterRef("pk"), round=OuterRef("round"), order=OuterRef("current_step")
    )
    return PermissionRequest.objects.select_related("platform", "applicant").annotate(
        waiting_since=current.values("started_at")[:1]
    )


@dataclass(frozen=True)
class RequestFilters:
    status: str = ""
    q: str = ""


def requests_of_applicant(
    *, applicant: User, filters: RequestFilters, cursor: str | None
) -> Page[PermissionRequest]:
    queryset = _request_list_base().filter(applicant=applicant)
    if filters.status in Status.values:
        queryset = queryset.filter(status=filters.status)
    if filters.q:
        queryset = queryset.filter(
            Q(reference__icontains=filters.q)
            | Q(topic__icontains=filters.q)
            | Q(outlet__icontains=filters.q)
        )
    return page(queryset, sort=NEWEST, cursor=cursor, size=settings.PAGE_SIZE)


def requests_awaiting(*, officer: User, cursor: str | None) -> Page[ApprovalStep]:
    """The officer's inbox, oldest first."""
    queryset = steps_awaiting(officer).select_related(
        "request",
        "request__platform",
        "request__applicant",
        "request__applicant__organisation",
        "assignee",
        "group",
    )
    return page(queryset, sort=SortKey.oldest("started_at"), cursor=cursor, size=settings.PAGE_SIZE)


def awaiting_count(*, officer: User) -> int:
    # Bounded by one officer's inbox and served by the step_inbox_* indexes.
    return steps_awaiting(officer).count()


def overdue_before() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=settings.INBOX_OVERDUE_DAYS)


def steps_decided_by(*, officer: User, cursor: str | None) -> Page[ApprovalStep]:
    queryset = ApprovalStep.objects.filter(acted_by=officer).select_related(
        "request", "request__platform", "request__applicant", "acted_for"
    )
    return page(queryset, sort=SortKey.newest("acted_at"), cursor=cursor, size=settings.PAGE_SIZE)


def _visible_to(user: User) -> Q:
    """Requests a person may open: their own, and any on which they hold or held a step,
    directly, through a group, or as today's delegate."""
    step_holders = ApprovalStep.objects.filter(request=OuterRef("pk")).filter(
        Q(assignee=user)
        | Q(acted_by=user)
        | Q(group__in=user.groups.all())
        | Q(assignee__in=delegators_of(user).values("delegator"))
    )
    return Q(applicant=user) | Q(Exists(step_holders))


def request_with_record() -> QuerySet[PermissionRequest]:
    """Requests with everything a request's page shows: platform, people, every round's
    steps and the attachments (with who uploaded them)."""
    return PermissionRequest.objects.select_related(
        "platform",
        "applicant",
        "applicant__organisation",
        "applicant_organisation",
        "decision_rule",
        "renews",
    ).prefetch_related(
        Prefetch(
            "steps",
            queryset=ApprovalStep.objects.select_related(
                "assignee", "group", "acted_by", "acted_for", "escalated_from"
            ).order_by("round", "order"),
        ),
        Prefetch(
            "attachments",
            queryset=Attachment.objects.select_related("uploaded_by").order_by("uploaded_at", "pk"),
        ),
    )


def request_for_viewer(*, user: User, pk: int) -> PermissionRequest:
    """The request with everything its page shows, or 404 for anyone who may not see it."""
    queryset = request_with_record()
    if not roles_for(user).auditor:
        queryset = queryset.filter(_visible_to(user))
    try:
        return queryset.get(pk=pk)
    except PermissionRequest.DoesNotExist:
        raise Http404 from None


def timeline(*, request: PermissionRequest) -> QuerySet[AuditEvent]:
    """What happened to the request, for the people on it: its own actions only, not
    the refused attempts to open it (the audit console shows those)."""
    return AuditEvent.objects.filter(request=request, action__in=REQUEST_ACTIONS).select_related(
        "actor", "acting_for"
    )


def earlier_requests(*, request: PermissionRequest, limit: int = 10) -> list[PermissionRequest]:
    """The applicant's other requests, newest first, for the deciding officer."""
    return list(
        PermissionRequest.objects.filter(applicant_id=request.applicant_id)
        .exclude(pk=request.pk)
        .exclude(status=Status.DRAFT)
        .select_related("platform")
        .order_by("-created_at", "-pk")[:limit]
    )


def rules_for_guidance() -> list[ConductRule]:
    return list(ConductRule.objects.filter(is_active=True))


def rejection_rules() -> QuerySet[ConductRule]:
    return ConductRule.objects.filter(is_active=True, grounds_for_rejection=True)


def delegations_of(*, officer: User) -> dict[str, list[Delegation]]:
    today = timezone.localdate()
    given = list(
        Delegation.objects.filter(delegator=officer, ends_on__gte=today)
        .select_related("delegate")
        .order_by("starts_on", "pk")
    )
    received = list(delegators_of(officer).select_related("delegator").order_by("ends_on", "pk"))
    return {"given": given, "received": received}


def delegate_choices(*, officer: User) -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, bps__isnull=False)
        .exclude(pk=officer.pk)
        .select_related("organisation")
        .order_by("last_name", "first_name")
    )


def attachment_for_viewer(*, user: User, request_pk: int, pk: int) -> Attachment:
    request = request_for_viewer(user=user, pk=request_pk)
    try:
        return request.attachments.get(pk=pk)
    except Attachment.DoesNotExist:
        raise Http404 from None


def notifications_of(*, user: User, cursor: str | None) -> Page[Notification]:
    queryset = Notification.objects.filter(recipient=user).select_related("request")
    return page(queryset, sort=NEWEST, cursor=cursor, size=settings.PAGE_SIZE)


def email_opt_outs(*, user: User) -> set[str]:
    return set(EmailPreference.objects.filter(user=user).values_list("kind", flat=True))
