"""The dashboard's figures: volumes, outcomes and turnaround.

Every figure is one grouped query (or a bounded list); the turnaround percentiles are
computed here, in Python, over one column of durations fetched from the database, so
they come out the same on SQLite and PostgreSQL.

The grouped figures read whole tables, so they are not computed per visit: `refresh()`
computes them and stores a `DashboardSnapshot`, which a scheduled job does every
DASHBOARD_REFRESH_MINUTES, and `build()` reads the newest one. A visit that finds none,
or finds it older than that, asks for a refresh in the background (at most one per
period, and, where Celery runs eagerly as in the embedded default, inline) and shows
the one it has with its time. The bounded lists (overdue steps, approvals about to
expire) are read live through their indexes.

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
import logging
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import ApprovalStep, AuditEvent, DashboardSnapshot, PermissionRequest
from ..models.requests import PlatformCategory
from ..selectors import overdue_before
from ..states import APPROVED_ONCE, Action, Status, StepStatus
from .charts import Bar, Chart
from .selectors import OrganisationTree, organisation_tree

logger = logging.getLogger(__name__)

MONTHS = 12
EXPIRING_WITHIN_DAYS = 30
LIST_LIMIT = 10
TOP_ORGANISATIONS = 12
# The cache key that marks a refresh asked for, so one visit asks in a period.
REFRESH_LOCK = "dashboard-refresh-asked"
# Snapshots kept, the newest with those before it, for the admin to compare.
KEEP_SNAPSHOTS = 24


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
    # None, with `computing`, while the first snapshot is being worked out: the grouped
    # figures are then empty and the page says so rather than show noughts.
    computed_at: datetime.datetime | None
    computing: bool
    refresh_minutes: int
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


def _category_counts(submitted: Any) -> dict[str, int]:
    return dict(
        submitted.order_by()
        .values("platform__category")
        .annotate(n=Count("pk"))
        .values_list("platform__category", "n")
    )


def _category_chart(counts: dict[str, int]) -> Chart:
    return Chart(
        key="chart-category",
        title=_("Requests by platform category"),
        description=_("Every submitted request, by the kind of platform."),
        label_heading=_("Platform category"),
        value_heading=_("Requests"),
        bars=[Bar(str(label), counts.get(code, 0)) for code, label in PlatformCategory.choices],
    )


def _organisation_counts(submitted: Any) -> list[list[int | None]]:
    """[organisation id or None, requests], each organisation the applicant's at submission."""
    return [
        [organisation, n]
        for organisation, n in submitted.order_by()
        .annotate(organisation=Coalesce("applicant_organisation", "applicant__organisation"))
        .values("organisation")
        .annotate(n=Count("pk"))
        .values_list("organisation", "n")
    ]


def _organisation_chart(per_organisation: list[list[int | None]], tree: OrganisationTree) -> Chart:
    # Summed to the top-level organisations of the tree as it is now, so a division
    # moved to another ministry since the snapshot is counted under the new one.
    totals: dict[int | None, int] = {}
    for organisation, n in per_organisation:
        top = tree.top_of(organisation) if organisation in tree.names else None
        totals[top] = totals.get(top, 0) + (n or 0)
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


def _month_key(day: datetime.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _month_counts(months: list[datetime.date]) -> dict[str, int]:
    start = timezone.make_aware(datetime.datetime.combine(months[0], datetime.time.min))
    counts: dict[str, int] = {}
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
        counts[_month_key(local)] = counts.get(_month_key(local), 0) + n
    return counts


def _month_chart(months: list[datetime.date], counts: dict[str, int]) -> Chart:
    return Chart(
        key="chart-month",
        title=_("Requests submitted per month"),
        description=_("Requests by the month of their first submission, the last 12 months."),
        label_heading=_("Month"),
        value_heading=_("Requests"),
        bars=[
            Bar(date_format(first, "YEAR_MONTH_FORMAT"), counts.get(_month_key(first), 0))
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


def _seconds(value: datetime.timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _duration(seconds: float | None) -> datetime.timedelta | None:
    return None if seconds is None else datetime.timedelta(seconds=seconds)


def expiring_approvals(today: datetime.date) -> QuerySet[PermissionRequest]:
    return PermissionRequest.objects.filter(
        status=Status.APPROVED,
        valid_until__gte=today,
        valid_until__lte=today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS),
    )


def compute() -> dict[str, Any]:
    """The grouped figures as plain values (codes and ids, never labels or names, so the
    page shows them in the reader's language and with the organisations' names of now)."""
    months = _months(timezone.localdate())
    window_start = timezone.make_aware(datetime.datetime.combine(months[0], datetime.time.min))
    submitted = PermissionRequest.objects.filter(submitted_at__isnull=False)
    figures = turnaround(window_start)
    return {
        "status": dict(
            submitted.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
        ),
        "drafts": PermissionRequest.objects.filter(status=Status.DRAFT).count(),
        "expiring": expiring_approvals(timezone.localdate()).count(),
        "category": _category_counts(submitted),
        "organisation": _organisation_counts(submitted),
        "months": [first.isoformat() for first in months],
        "month": _month_counts(months),
        "turnaround": {
            "count": figures.count,
            "median": _seconds(figures.median),
            "p90": _seconds(figures.p90),
        },
    }


def refresh() -> DashboardSnapshot:
    """Compute the grouped figures and keep them as the newest snapshot (and the last
    few before it, for the admin to compare)."""
    started = timezone.now()
    figures = compute()
    snapshot = DashboardSnapshot.objects.create(
        computed_at=started,
        seconds=(timezone.now() - started).total_seconds(),
        figures=figures,
    )
    stale = DashboardSnapshot.objects.order_by("-computed_at", "-id").values_list("pk", flat=True)[
        KEEP_SNAPSHOTS:
    ]
    DashboardSnapshot.objects.filter(pk__in=list(stale)).delete()
    return snapshot


def _ask_for_refresh() -> None:
    """Once a period, however many auditors look: the job then runs on a worker (or,
    with Celery eager, here)."""
    from .tasks import refresh_dashboard

    try:
        if cache.add(REFRESH_LOCK, True, timeout=settings.DASHBOARD_REFRESH_MINUTES * 60):
            refresh_dashboard.delay()
    except Exception:  # redis and kombu raise several unrelated types when they are down
        # The page still shows the figures it has, with their time; beat asks again.
        logger.warning(
            "Dashboard figures not refreshed: cache or broker unavailable", exc_info=True
        )


def newest_snapshot() -> DashboardSnapshot | None:
    """The newest figures, after asking for new ones if they are older than the period;
    None when there are none yet and a worker (or another visit) is working them out."""
    period = datetime.timedelta(minutes=settings.DASHBOARD_REFRESH_MINUTES)
    snapshot = DashboardSnapshot.objects.order_by("-computed_at", "-id").first()
    if snapshot is None or snapshot.computed_at < timezone.now() - period:
        _ask_for_refresh()
        snapshot = DashboardSnapshot.objects.order_by("-computed_at", "-id").first() or snapshot
    return snapshot


def _nothing_yet(today: datetime.date) -> dict[str, Any]:
    return {
        "status": {},
        "drafts": 0,
        "category": {},
        "organisation": [],
        "months": [first.isoformat() for first in _months(today)],
        "month": {},
        "turnaround": {"count": 0, "median": None, "p90": None},
    }


def build() -> Dashboard:
    today = timezone.localdate()
    snapshot = newest_snapshot()
    figures = snapshot.figures if snapshot is not None else _nothing_yet(today)
    status_counts: dict[str, int] = figures["status"]
    months = [datetime.date.fromisoformat(first) for first in figures["months"]]
    timing = figures["turnaround"]

    overdue = ApprovalStep.objects.filter(
        status=StepStatus.PENDING, started_at__lt=overdue_before()
    )
    expiring = expiring_approvals(today)
    return Dashboard(
        computed_at=snapshot.computed_at if snapshot is not None else None,
        computing=snapshot is None,
        refresh_minutes=settings.DASHBOARD_REFRESH_MINUTES,
        submitted=sum(status_counts.values()),
        drafts=figures["drafts"],
        by_status=_status_chart(status_counts),
        by_category=_category_chart(figures["category"]),
        by_organisation=_organisation_chart(figures["organisation"], organisation_tree()),
        by_month=_month_chart(months, figures["month"]),
        outcomes=Outcomes(
            approved_once=sum(status_counts.get(code, 0) for code in APPROVED_ONCE),
            rejected=status_counts.get(Status.REJECTED, 0),
        ),
        turnaround=Turnaround(
            count=timing["count"],
            median=_duration(timing["median"]),
            p90=_duration(timing["p90"]),
        ),
        window_start=months[0],
        overdue_days=settings.INBOX_OVERDUE_DAYS,
        overdue_count=overdue.count(),
        overdue_steps=list(
            overdue.select_related("request", "request__applicant", "assignee", "group").order_by(
                "started_at", "pk"
            )[:LIST_LIMIT]
        ),
        expiring_within=EXPIRING_WITHIN_DAYS,
        # Counted with the snapshot: tens of thousands of index entries at national
        # scale, and it changes once a day. Snapshots from before it was kept lack it.
        expiring_count=figures["expiring"] if "expiring" in figures else expiring.count(),
        expiring=list(
            expiring.select_related("applicant", "platform").order_by("valid_until", "pk")[
                :LIST_LIMIT
            ]
        ),
    )
