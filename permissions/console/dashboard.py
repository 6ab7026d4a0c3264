"""The dashboard's figures: volumes, outcomes and turnaround.

Every figure is one grouped query (or a bounded list); the turnaround percentiles are
computed here, in Python, over one column of durations fetched from the database, so
they come out the same on SQLite and PostgreSQL.

Definitions (also shown on the page):
- A request counts once it has been submitted; drafts never submitted are counted apart.
- Approval rate: approved, expired and revoked requests (each was approved once) over
  all decided requests (those plus the rejected). Withdrawn requests were never decided.
- Turnaround: from a request's first submission to its final decision (approval at the
  last step, or rejection), for decisions taken in the window; time a request spent
  returned to its applicant counts too.
- Median: the middle time, or the mean of the two middle times when their number is
  even. 90th percentile by nearest rank: the time at position ceil(0.9 * n) of the
  times sorted from shortest.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import ApprovalStep, AuditEvent, PermissionRequest
from ..models.requests import PlatformCategory
from ..selectors import overdue_before
from ..states import APPROVED_ONCE, Action, Status, StepStatus
from .charts import Bar, Chart
from .selectors import OrganisationTree, organisation_tree

MONTHS = 12
EXPIRING_WITHIN_DAYS = 30
LIST_LIMIT = 10
TOP_ORGANISATIONS = 12


@dataclass(frozen=True)
class Turnaround:
    count: int
    median: datetime.timedelta | None
    p90: datetime.timedelta | None

    @property
    def median_text(self) -> str:
        return duration_text(self.median)

    @property
    def p90_text(self) -> str:
        return duration_text(self.p90)


@dataclass(frozen=True)
class Outcomes:
    approved_once: int
    rejected: int

    @property
    def decided(self) -> int:
        return self.approved_once + self.rejected

    @property
    def approval_rate(self) -> float | None:
        """Per cent, or None when nothing has been decided."""
        return 100 * self.approved_once / self.decided if self.decided else None


@dataclass(frozen=True)
class Dashboard:
    submitted: int
    drafts: int
    by_status: Chart
    by_category: Chart
    by_organisation: Chart
    by_month: Chart
    outcomes: Outcomes
    turnaround: Turnaround
    window_start: datetime.date
    overdue_days: int
    overdue_count: int
    overdue_steps: list[ApprovalStep]
    expiring_within: int
    expiring_count: int
    expiring: list[PermissionRequest]


def median(values: list[datetime.timedelta]) -> datetime.timedelta | None:
    """`values` sorted from shortest."""
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2


def nearest_rank(values: list[datetime.timedelta], percent: int) -> datetime.timedelta | None:
    """The value at rank ceil(percent / 100 * n), counting from 1, of `values` sorted from
    shortest: no more than `percent` per cent of the values are shorter."""
    if not values:
        return None
    rank = math.ceil(percent * len(values) / 100)
    return values[max(rank, 1) - 1]


def duration_text(value: datetime.timedelta | None) -> str:
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)s day", "%(n)s days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours})
    if minutes and not days:
        parts.append(ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes})
    return " ".join(parts) or _("under a minute")


def _months(today: datetime.date) -> list[datetime.date]:
    """The first day of this month and of the eleven before it, oldest first."""
    firsts = []
    year, month = today.year, today.month
    for _step in range(MONTHS):
        firsts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def _status_chart(counts: dict[str, int]) -> Chart:
    return Chart(
        key="chart-status",
        title=_("Requests by status"),
        description=_("Every submitted request, by where it stands now."),
        label_heading=_("Status"),
        value_heading=_("Requests"),
        bars=[
            Bar(str(label), counts.get(code, 0))
            for code, label in Status.choices
            if code != Status.DRAFT
        ],
    )


def _category_chart(submitted: Any) -> Chart:
    counts = dict(
        submitted.order_by()
        .values("platform__category")
        .annotate(n=Count("pk"))
        .values_list("platform__category", "n")
    )
    return Chart(
        key="chart-category",
        title=_("Requests by platform category"),
        description=_("Every submitted request, by the kind of platform."),
        label_heading=_("Platform category"),
        value_heading=_("Requests"),
        bars=[Bar(str(label), counts.get(code, 0)) for code, label in PlatformCategory.choices],
    )


def _organisation_chart(submitted: Any, tree: OrganisationTree) -> Chart:
    per_organisation = (
        submitted.order_by()
        .annotate(organisation=Coalesce("applicant_organisation", "applicant__organisation"))
        .values("organisation")
        .annotate(n=Count("pk"))
        .values_list("organisation", "n")
    )
    totals: dict[int | None, int] = {}
    for organisation, n in per_organisation:
        top = tree.top_of(organisation) if organisation in tree.names else None
        totals[top] = totals.get(top, 0) + n
    ranked = sorted(
        totals.items(),
        key=lambda item: (-item[1], tree.names.get(item[0], "") if item[0] is not None else ""),
    )
    bars = [
        Bar(tree.names[top] if top is not None else _("No organisation"), n)
        for top, n in ranked[:TOP_ORGANISATIONS]
    ]
    rest = sum(n for _top, n in ranked[TOP_ORGANISATIONS:])
    if rest:
        bars.append(Bar(_("Other organisations"), rest))
    return Chart(
        key="chart-organisation",
        title=_("Requests by ministry"),
        description=_(
            "Every submitted request, by the top-level organisation of the applicant's "
            "organisation at submission, its parts included."
        ),
        label_heading=_("Organisation"),
        value_heading=_("Requests"),
        bars=bars,
    )


def _month_chart(months: list[datetime.date]) -> Chart:
    start = timezone.make_aware(datetime.datetime.combine(months[0], datetime.time.min))
    counts: dict[tuple[int, int], int] = {}
    rows = (
        AuditEvent.objects.filter(action=Action.SUBMIT, created_at__gte=start)
        .annotate(month=TruncMonth("created_at"))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    for month, n in rows:
        local = timezone.localtime(month) if isinstance(month, datetime.datetime) else month
        counts[(local.year, local.month)] = counts.get((local.year, local.month), 0) + n
    return Chart(
        key="chart-month",
        title=_("Requests submitted per month"),
        description=_("Requests by the month of their first submission, the last 12 months."),
        label_heading=_("Month"),
        value_heading=_("Requests"),
        bars=[
            Bar(date_format(first, "YEAR_MONTH_FORMAT"), counts.get((first.year, first.month), 0))
            for first in months
        ],
    )


def turnaround(since: datetime.datetime) -> Turnaround:
    first_submission = (
        AuditEvent.objects.filter(request=OuterRef("request"), action=Action.SUBMIT)
        .order_by("pk")
        .values("created_at")[:1]
    )
    durations = sorted(
        AuditEvent.objects.filter(
            action__in=(Action.APPROVE, Action.REJECT),
            to_status__in=(Status.APPROVED, Status.REJECTED),
            created_at__gte=since,
        )
        .annotate(submitted=Subquery(first_submission))
        .filter(submitted__isnull=False)
        .annotate(
            duration=ExpressionWrapper(
                F("created_at") - F("submitted"), output_field=DurationField()
            )
        )
        .values_list("duration", flat=True)
    )
    return Turnaround(
        count=len(durations), median=median(durations), p90=nearest_rank(durations, 90)
    )


def build() -> Dashboard:
    today = timezone.localdate()
    tree = organisation_tree()
    submitted = PermissionRequest.objects.filter(submitted_at__isnull=False)
    status_counts = dict(
        submitted.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    months = _months(today)
    window_start = timezone.make_aware(datetime.datetime.combine(months[0], datetime.time.min))

    overdue = ApprovalStep.objects.filter(
        status=StepStatus.PENDING, started_at__lt=overdue_before()
    )
    expiring = PermissionRequest.objects.filter(
        status=Status.APPROVED,
        valid_until__gte=today,
        valid_until__lte=today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS),
    )
    return Dashboard(
        submitted=sum(status_counts.values()),
        drafts=PermissionRequest.objects.filter(status=Status.DRAFT).count(),
        by_status=_status_chart(status_counts),
        by_category=_category_chart(submitted),
        by_organisation=_organisation_chart(submitted, tree),
        by_month=_month_chart(months),
        outcomes=Outcomes(
            approved_once=sum(status_counts.get(code, 0) for code in APPROVED_ONCE),
            rejected=status_counts.get(Status.REJECTED, 0),
        ),
        turnaround=turnaround(window_start),
        window_start=months[0],
        overdue_days=settings.INBOX_OVERDUE_DAYS,
        overdue_count=overdue.count(),
        overdue_steps=list(
            overdue.select_related("request", "request__applicant", "assignee", "group").order_by(
                "started_at", "pk"
            )[:LIST_LIMIT]
        ),
        expiring_within=EXPIRING_WITHIN_DAYS,
        expiring_count=expiring.count(),
        expiring=list(
            expiring.select_related("applicant", "platform").order_by("valid_until", "pk")[
                :LIST_LIMIT
            ]
        ),
    )
