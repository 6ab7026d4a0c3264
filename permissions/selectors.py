"""Reads: every non-trivial query the views and tasks use lives here."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .authority import delegators_of, steps_awaiting
from .content import EDITABLE_FIELDS
from .models import (
    ApprovalStep,
    Attachment,
    AuditEvent,
    ConductRule,
    Delegation,
    EmailPreference,
    Ground,
    Instruction,
    Notification,
    PermissionRequest,
    User,
)
from .paging import Page, SortKey, page
from .roles import roles_for
from .states import RENEWABLE, REQUEST_ACTIONS, Action, Status
from .submission import Panel, check_panels

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


# What an inbox row shows of a step waiting for an officer, fetched with it.
AWAITING_RELATED = (
    "request",
    "request__platform",
    "request__applicant",
    "request__applicant__organisation",
    "assignee",
    "group",
)


def requests_awaiting(*, officer: User, cursor: str | None) -> Page[ApprovalStep]:
    """The officer's inbox, oldest first."""
    queryset = steps_awaiting(officer).select_related(*AWAITING_RELATED)
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


def timeline(*, request: PermissionRequest) -> list[TimelineEntry]:
    """What happened to the request, for the people on it: its own actions only, not
    the refused attempts to open it (the audit console shows those). The amendments
    made between a return and the resubmission that follows are one entry, saying what
    changed; grouped here, over the one query's rows."""
    events = AuditEvent.objects.filter(request=request, action__in=REQUEST_ACTIONS).select_related(
        "actor", "acting_for"
    )
    return _grouped(list(events))


@dataclass(frozen=True)
class FieldChange:
    """One field as the applicant changed it, in the words a person reads."""

    label: str
    # What it said before and after, ready to show; both empty for an event recorded
    # before amendments kept their values (only the field's name is known).
    old: str = ""
    new: str = ""
    recorded: bool = False
    # A long text, shown whole only on asking (a <details> element).
    long: bool = False


@dataclass(frozen=True)
class Amendments:
    title: str
    fields: list[FieldChange]
    files_added: list[str]
    files_removed: list[str]

    @property
    def unchanged(self) -> bool:
        """Every change was undone before resubmission."""
        return not (self.fields or self.files_added or self.files_removed)


@dataclass(frozen=True)
class TimelineEntry:
    """An event, or a run of amendments shown as one (`event` is then the last of them,
    for its time and who made it)."""

    event: AuditEvent
    amendments: Amendments | None = None


def submission_panels(
    *, request: PermissionRequest, events: Sequence[TimelineEntry | AuditEvent]
) -> list[Panel]:
    """What the submission checks recorded when the request was last submitted (the
    pre-screening's flags), drawn for the people deciding or auditing it; read off the
    events a page already has (the timeline, or the console's whole record), so it costs
    no query."""
    for entry in reversed(events):
        event = entry.event if isinstance(entry, TimelineEntry) else entry
        if event.action in {Action.SUBMIT, Action.RESUBMIT}:
            return check_panels(request, event.data.get("checks") or {})
    return []


def _grouped(events: list[AuditEvent]) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    amending: list[AuditEvent] = []
    for event in events:
        if event.action == Action.AMEND:
            amending.append(event)
            continue
        if amending:
            entries.append(_amendments_entry(amending, followed_by=event.action))
            amending = []
        entries.append(TimelineEntry(event))
    if amending:
        entries.append(_amendments_entry(amending, followed_by=None))
    return entries


def _amendments_entry(events: list[AuditEvent], *, followed_by: str | None) -> TimelineEntry:
    if followed_by == Action.RESUBMIT:
        title = _("Amended before resubmission")
    elif followed_by is None:
        title = _("Amended, not yet resubmitted")
    else:
        title = str(Action.AMEND.label)
    # name -> (old, new), the first event's old value and the last one's new; None once
    # an event named the field without keeping its values.
    fields: dict[str, tuple[Any, Any] | None] = {}
    files: list[tuple[str, str, str]] = []  # (change, name, sha256), in order
    for event in events:
        data: dict[str, Any] = event.data if isinstance(event.data, dict) else {}
        if data.get("files") in ("added", "removed"):
            files.append((data["files"], str(data.get("file", "")), str(data.get("sha256", ""))))
        for name in data.get("fields") or []:
            change = _recorded_change(data, name)
            if name not in fields:
                fields[name] = change
            else:
                earlier = fields[name]
                fields[name] = (earlier[0], change[1]) if earlier and change else None
    shown = [
        _field_change(name, change)
        for name, change in sorted(fields.items(), key=_form_order)
        # Changed and changed back: nothing differs from what was returned.
        if change is None or change[0] != change[1]
    ]
    added, removed = _net_files(files)
    return TimelineEntry(
        events[-1],
        Amendments(title=title, fields=shown, files_added=added, files_removed=removed),
    )


def _recorded_change(data: dict[str, Any], name: str) -> tuple[Any, Any] | None:
    """The old and new value an amendment's event kept for the field, if it kept them."""
    changes = data.get("changes")
    change = changes.get(name) if isinstance(changes, dict) else None
    if isinstance(change, dict) and "old" in change and "new" in change:
        return change["old"], change["new"]
    return None


def _form_order(item: tuple[str, Any]) -> int:
    name = item[0]
    return EDITABLE_FIELDS.index(name) if name in EDITABLE_FIELDS else len(EDITABLE_FIELDS)


def _net_files(files: list[tuple[str, str, str]]) -> tuple[list[str], list[str]]:
    """The files added and removed, leaving out one added and then removed again."""
    added: list[tuple[str, str]] = []
    removed: list[tuple[str, str]] = []
    for change, name, sha256 in files:
        if change == "removed" and (name, sha256) in added:
            added.remove((name, sha256))
        elif change == "removed":
            removed.append((name, sha256))
        else:
            added.append((name, sha256))
    return [name for name, _sha in added], [name for name, _sha in removed]


def _field_change(name: str, change: tuple[Any, Any] | None) -> FieldChange:
    try:
        field = PermissionRequest._meta.get_field(name)
    except FieldDoesNotExist:
        return FieldChange(label=name)
    label = capfirst(str(getattr(field, "verbose_name", name)))
    if change is None:
        return FieldChange(label=label)
    old, new = change
    if isinstance(field, models.TextField):
        return FieldChange(label=label, old=old or "", new=new or "", recorded=True, long=True)
    return FieldChange(label=label, old=_shown(field, old), new=_shown(field, new), recorded=True)


def _shown(field: Any, value: Any) -> str:
    """A value as an amendment's event kept it (services._as_recorded), as a person
    reads it: a choice by its label, a date in the portal's format, text in quotes."""
    if isinstance(value, dict):  # the platform: its id and its name at the time
        value = value.get("name") or value.get("id")
    if isinstance(field, models.BooleanField):
        return _("Yes") if value else _("No")
    if value is None or value == "":
        return _("(none)")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    try:
        if isinstance(field, models.DateTimeField):
            moment = datetime.datetime.fromisoformat(str(value))
            return date_format(timezone.localtime(moment), "DATETIME_FORMAT")
        if isinstance(field, models.DateField):
            return date_format(datetime.date.fromisoformat(str(value)), "DATE_FORMAT")
    except ValueError:
        return str(value)
    if isinstance(field, models.DecimalField):
        # Kept normalised (15000 as "1.5E+4"); shown as rupees are written.
        try:
            amount = Decimal(str(value))
        except ArithmeticError:
            return str(value)
        whole = amount == amount.to_integral_value()
        return number_format(amount, decimal_pos=0 if whole else 2, force_grouping=True)
    if isinstance(field, models.CharField):
        return _("“%(text)s”") % {"text": value}
    return str(value)


def renewable(*, request: PermissionRequest) -> bool:
    """Whether the applicant may renew the permission: approved and started, or expired.
    One that has not started yet still covers the dates a renewal would ask for again."""
    if request.status not in RENEWABLE:
        return False
    return request.valid_from is None or request.valid_from <= timezone.localdate()


def earlier_requests(*, request: PermissionRequest, limit: int = 10) -> list[PermissionRequest]:
    """The applicant's other requests, newest first, for the deciding officer."""
    return list(
        PermissionRequest.objects.filter(applicant_id=request.applicant_id)
        .exclude(pk=request.pk)
        .exclude(status=Status.DRAFT)
        .select_related("platform")
        .order_by("-created_at", "-pk")[:limit]
    )


class RulesGuidance(list[ConductRule]):
    """The rules in force, each with the grounds in force under it (`grounds_in_force`),
    and beside them every such ground in the admin's order and the Establishment
    Division's instructions that set them out."""

    def __init__(self, rules: list[ConductRule], instructions: list[Instruction]) -> None:
        super().__init__(rules)
        self.instructions = instructions
        self.grounds: list[Ground] = sorted(
            (ground for rule in rules for ground in rule.grounds_in_force),  # type: ignore[attr-defined]
            key=lambda ground: (ground.sort_key, ground.title),
        )


def rules_for_guidance() -> RulesGuidance:
    grounds = Ground.objects.filter(is_active=True)
    rules = ConductRule.objects.filter(is_active=True).prefetch_related(
        Prefetch("grounds", queryset=grounds, to_attr="grounds_in_force")
    )
    return RulesGuidance(list(rules), list(Instruction.objects.filter(is_active=True)))


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
