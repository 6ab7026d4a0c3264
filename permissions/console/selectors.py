"""The console's reads: request search, one request's whole record, the audit log and the
audit chain's verifications. Every list is keyset-paged and loads what its rows show in
the same query, so a page costs the same number of queries whatever it holds."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..integrity import what_label
from ..models import (
    AuditEvent,
    AuditVerification,
    Notification,
    Organisation,
    PermissionRequest,
    Platform,
    User,
)
from ..paging import Page, SortKey, batches, page
from ..selectors import request_with_record
from ..states import DECISIONS

EXPORT_BATCH_SIZE = 2_000
MAX_SEARCH_WORDS = 8
# A list counts its matches no further than this: past it the exact number tells an
# auditor nothing more, and counting millions of rows on every visit would cost seconds.
RESULT_COUNT_CAP = 10_000


# --- organisations -----------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationTree:
    """Every organisation's name and parent, read in one query (the table is small)."""

    names: dict[int, str]
    parents: dict[int, int | None]

    def children(self) -> dict[int | None, list[int]]:
        children: dict[int | None, list[int]] = {}
        for pk, parent in self.parents.items():
            # An organisation whose parent is missing is shown at the top level.
            children.setdefault(parent if parent in self.parents else None, []).append(pk)
        for siblings in children.values():
            siblings.sort(key=lambda pk: self.names[pk].lower())
        return children

    def choices(self) -> list[tuple[int, str]]:
        """Depth first, each part indented under the organisation it belongs to."""
        children = self.children()
        ordered: list[tuple[int, str]] = []
        seen: set[int] = set()

        def visit(pk: int, depth: int) -> None:
            if pk in seen:  # a loop entered in the admin; show each organisation once
                return
            seen.add(pk)
            ordered.append((pk, "\u2014 " * depth + self.names[pk]))
            for child in children.get(pk, []):
                visit(child, depth + 1)

        for top in children.get(None, []):
            visit(top, 0)
        for pk in sorted(set(self.names) - seen, key=lambda pk: self.names[pk].lower()):
            visit(pk, 0)
        return ordered

    def with_parts(self, pk: int) -> frozenset[int]:
        """The organisation and everything under it, however deep."""
        children = self.children()
        found = {pk}
        pending = [pk]
        while pending:
            for child in children.get(pending.pop(), []):
                if child not in found:
                    found.add(child)
                    pending.append(child)
        return frozenset(found)

    def top_of(self, pk: int) -> int:
        """The top-level organisation (the Ministry) that `pk` is part of."""
        seen = {pk}
        while (parent := self.parents.get(pk)) is not None and parent in self.parents:
            if parent in seen:
                break
            seen.add(parent)
            pk = parent
        return pk


def organisation_tree() -> OrganisationTree:
    names: dict[int, str] = {}
    parents: dict[int, int | None] = {}
    for pk, name, parent in Organisation.objects.values_list("pk", "name", "parent_id"):
        names[pk] = name
        parents[pk] = parent
    return OrganisationTree(names=names, parents=parents)


def platform_choices() -> list[tuple[int, str]]:
    return list(Platform.objects.order_by("sort_key", "name").values_list("pk", "name"))


# --- filters shared by both lists --------------------------------------------------------


@dataclass(frozen=True)
class DateRange:
    """Whole days in the portal's time zone, both ends included; either may be open."""

    start: datetime.date | None = None
    end: datetime.date | None = None

    def as_moments(self, name: str) -> Q:
        condition = Q()
        if self.start is not None:
            condition &= Q(**{f"{name}__gte": _start_of(self.start)})
        if self.end is not None:
            condition &= Q(**{f"{name}__lt": _start_of(self.end + datetime.timedelta(days=1))})
        return condition

    def __bool__(self) -> bool:
        return self.start is not None or self.end is not None


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _words(text: str) -> list[str]:
    return text.split()[:MAX_SEARCH_WORDS]


def people_named(text: str) -> QuerySet[User]:
    """People whose first name, last name or username holds every word of `text`."""
    people = User.objects.all()
    for word in _words(text):
        people = people.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
        )
    return people


def _request_in(organisations: frozenset[int], prefix: str = "") -> Q:
    """The request's organisation: the applicant's at submission, or (for a draft, never
    submitted) the applicant's organisation now."""
    return Q(**{f"{prefix}applicant_organisation_id__in": organisations}) | Q(
        **{
            f"{prefix}applicant_organisation__isnull": True,
            f"{prefix}applicant__organisation_id__in": organisations,
        }
    )


@dataclass(frozen=True)
class ResultCount:
    """How many rows a list's filters match, counted no further than `cap`."""

    value: int
    cap: int

    @property
    def capped(self) -> bool:
        return self.value > self.cap


def _count_up_to(rows: QuerySet[Any], limit: int) -> int:
    """The rows counted no further than limit + 1: one query over a LIMITed subquery of
    ids, unordered, so the database stops at the limit instead of counting the table."""
    return rows.order_by().values("pk")[: limit + 1].count()


# --- request search ----------------------------------------------------------------------

REQUEST_SORTS: dict[str, tuple[Any, SortKey]] = {
    "newest": (_("Newest first"), SortKey("created_at", descending=True, kind="datetime")),
    "oldest": (_("Oldest first"), SortKey("created_at", descending=False, kind="datetime")),
    "submitted": (
        _("Last submitted first"),
        SortKey("submitted_at", descending=True, kind="datetime", nullable=True),
    ),
    "decided": (
        _("Last decided first"),
        SortKey("decided_at", descending=True, kind="datetime", nullable=True),
    ),
    "valid_until": (
        _("Validity ending soonest first"),
        SortKey("valid_until", descending=False, kind="date", nullable=True),
    ),
    "reference": (_("Reference"), SortKey("reference", descending=False, kind="text")),
}
DEFAULT_REQUEST_SORT = "newest"


@dataclass(frozen=True)
class RequestSearch:
    reference: str = ""
    applicant: str = ""
    organisations: frozenset[int] | None = None
    platform: int | None = None
    category: str = ""
    status: str = ""
    decided_by: str = ""
    submitted: DateRange = field(default_factory=DateRange)
    decided: DateRange = field(default_factory=DateRange)
    valid: DateRange = field(default_factory=DateRange)
    text: str = ""
    sort: str = DEFAULT_REQUEST_SORT

    @property
    def sort_key(self) -> SortKey:
        return REQUEST_SORTS.get(self.sort, REQUEST_SORTS[DEFAULT_REQUEST_SORT])[1]


def matching_requests(search: RequestSearch) -> QuerySet[PermissionRequest]:
    requests = PermissionRequest.objects.all()
    if search.reference:
        requests = requests.filter(reference__icontains=search.reference)
    if search.applicant:
        requests = requests.filter(applicant__in=people_named(search.applicant))
    if search.organisations is not None:
        requests = requests.filter(_request_in(search.organisations))
    if search.platform is not None:
        requests = requests.filter(platform_id=search.platform)
    if search.category:
        requests = requests.filter(platform__category=search.category)
    if search.status:
        requests = requests.filter(status=search.status)
    if search.decided_by:
        requests = requests.filter(
            Exists(
                AuditEvent.objects.filter(
                    request=OuterRef("pk"),
                    action__in=DECISIONS,
                    actor__in=people_named(search.decided_by),
                )
            )
        )
    if search.submitted:
        requests = requests.filter(search.submitted.as_moments("submitted_at"))
    if search.decided:
        requests = requests.filter(search.decided.as_moments("decided_at"))
    if search.valid.start is not None:
        # Valid at any time in the range: the approval's period overlaps it.
        requests = requests.filter(valid_until__gte=search.valid.start)
    if search.valid.end is not None:
        requests = requests.filter(valid_from__lte=search.valid.end)
    for word in _words(search.text):
        requests = requests.filter(Q(topic__icontains=word) | Q(outlet__icontains=word))
    return requests


def search_requests(
    *, search: RequestSearch, cursor: str | None, size: int
) -> Page[PermissionRequest]:
    queryset = matching_requests(search).select_related(
        "applicant", "applicant__organisation", "applicant_organisation", "platform"
    )
    return page(queryset, sort=search.sort_key, cursor=cursor, size=size)


REQUEST_EXPORT_FIELDS = (
    "id",
    "reference",
    "status",
    "applicant__username",
    "applicant__first_name",
    "applicant__last_name",
    "applicant_designation",
    "applicant_bps",
    "organisation_name",
    "platform__name",
    "platform__category",
    "participation",
    "capacity",
    "outlet",
    "outlet_url",
    "topic",
    "summary",
    "official_information",
    "honorarium",
    "created_at",
    "submitted_at",
    "decided_at",
    "last_decided_by",
    "valid_from",
    "valid_until",
    "conditions",
    "conditions_text",
    "decision_reason",
    "decision_rule__number",
)


def request_export_batches(
    search: RequestSearch, *, size: int | None = None
) -> Iterator[list[tuple[Any, ...]]]:
    """Every matching request as a tuple of REQUEST_EXPORT_FIELDS, in the search's order,
    a batch (one LIMITed query) at a time. Tuples, not dicts: an export of millions
    builds no dictionary per row."""
    last_decision = (
        AuditEvent.objects.filter(request=OuterRef("pk"), action__in=DECISIONS)
        .order_by("-pk")
        .values("actor__username")[:1]
    )
    queryset = (
        matching_requests(search)
        .annotate(
            organisation_name=Coalesce(
                "applicant_organisation__name", "applicant__organisation__name"
            ),
            last_decided_by=Subquery(last_decision),
        )
        .values_list(*REQUEST_EXPORT_FIELDS)
    )
    sort = search.sort_key
    key = (REQUEST_EXPORT_FIELDS.index(sort.field), REQUEST_EXPORT_FIELDS.index("id"))
    yield from batches(queryset, sort=sort, size=size or EXPORT_BATCH_SIZE, key=key)


def requests_exceed(search: RequestSearch, limit: int) -> bool:
    """Whether more than `limit` requests match: a count that stops at limit + 1 rows."""
    return _count_up_to(matching_requests(search), limit) > limit


def count_requests(search: RequestSearch) -> ResultCount:
    cap = RESULT_COUNT_CAP
    return ResultCount(_count_up_to(matching_requests(search), cap), cap)


# --- one request's whole record ----------------------------------------------------------


def request_for_audit(*, pk: int) -> PermissionRequest:
    """The request with its steps (every round) and attachments, or 404."""
    try:
        return request_with_record().get(pk=pk)
    except PermissionRequest.DoesNotExist:
        raise Http404 from None


def timeline(*, request: PermissionRequest) -> list[AuditEvent]:
    """Every audit event about the request, in the chain's order."""
    return list(
        AuditEvent.objects.filter(request=request)
        .select_related("actor", "acting_for")
        .order_by("pk")
    )


def notifications_about(*, request: PermissionRequest) -> list[Notification]:
    return list(
        Notification.objects.filter(request=request)
        .select_related("recipient")
        .order_by("created_at", "pk")
    )


# --- the audit log -----------------------------------------------------------------------

AUDIT_LOG_SORT = SortKey("created_at", descending=True, kind="datetime")


class OrganisationOf:
    EITHER = "either"
    ACTOR = "actor"
    REQUEST = "request"


@dataclass(frozen=True)
class AuditLogSearch:
    actor: str = ""
    action: str = ""
    when: DateRange = field(default_factory=DateRange)
    organisations: frozenset[int] | None = None
    organisation_of: str = OrganisationOf.EITHER


def matching_events(search: AuditLogSearch) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if search.actor:
        events = events.filter(actor__in=people_named(search.actor))
    if search.action:
        events = events.filter(action=search.action)
    if search.when:
        events = events.filter(search.when.as_moments("created_at"))
    if search.organisations is not None:
        of_actor = Q(actor__organisation_id__in=search.organisations)
        of_request = _request_in(search.organisations, prefix="request__")
        if search.organisation_of == OrganisationOf.ACTOR:
            events = events.filter(of_actor)
        elif search.organisation_of == OrganisationOf.REQUEST:
            events = events.filter(of_request)
        else:
            events = events.filter(of_actor | of_request)
    return events


def audit_log(*, search: AuditLogSearch, cursor: str | None, size: int) -> Page[AuditEvent]:
    queryset = matching_events(search).select_related("actor", "acting_for", "request")
    return page(queryset, sort=AUDIT_LOG_SORT, cursor=cursor, size=size)


AUDIT_EXPORT_FIELDS = (
    "id",
    "created_at",
    "actor__username",
    "actor__first_name",
    "actor__last_name",
    "acting_for__username",
    "action",
    "request__reference",
    "from_status",
    "to_status",
    "comment",
    "data",
    "ip_address",
    "user_agent",
    "prev_hash",
    "hash",
)


def event_export_batches(
    search: AuditLogSearch, *, size: int | None = None
) -> Iterator[list[tuple[Any, ...]]]:
    """Every matching event as a tuple of AUDIT_EXPORT_FIELDS, newest first, a batch at
    a time."""
    queryset = matching_events(search).values_list(*AUDIT_EXPORT_FIELDS)
    key = (AUDIT_EXPORT_FIELDS.index("created_at"), AUDIT_EXPORT_FIELDS.index("id"))
    yield from batches(queryset, sort=AUDIT_LOG_SORT, size=size or EXPORT_BATCH_SIZE, key=key)


def events_exceed(search: AuditLogSearch, limit: int) -> bool:
    """Whether more than `limit` events match: a count that stops at limit + 1 rows."""
    return _count_up_to(matching_events(search), limit) > limit


def count_events(search: AuditLogSearch) -> ResultCount:
    cap = RESULT_COUNT_CAP
    return ResultCount(_count_up_to(matching_events(search), cap), cap)


# --- the audit chain ---------------------------------------------------------------------


@dataclass(frozen=True)
class ShownMismatch:
    """A mismatch a run kept, as the console shows it: what differs by its label."""

    request_id: int | None
    reference: str
    what: str
    detail: str


def _shown(kept: dict[str, Any]) -> ShownMismatch:
    return ShownMismatch(
        request_id=kept.get("request"),
        reference=str(kept.get("reference", "")),
        what=what_label(str(kept.get("what", ""))),
        detail=str(kept.get("detail", "")),
    )


@dataclass(frozen=True)
class Verification:
    """A run of the verification as the console shows it: the chain's result on the
    row, and the sweep's mismatches it kept (the first few hundred of those it found)."""

    run: AuditVerification
    mismatches: list[ShownMismatch]

    @property
    def unlisted(self) -> int:
        return max(self.run.mismatches_found - len(self.mismatches), 0)


def recent_verifications(*, limit: int = 10) -> list[Verification]:
    """The newest runs first (the model's order), each with the mismatches it kept."""
    return [
        Verification(run, [_shown(kept) for kept in run.mismatches or []])
        for run in AuditVerification.objects.select_related("by")[:limit]
    ]


@dataclass(frozen=True)
class LatestVerifications:
    chain: AuditVerification | None
    # The newest run that also swept the records (a run of `verify_audit` without
    # --content does not say whether they still match).
    content: AuditVerification | None


def latest_verifications() -> LatestVerifications:
    """For the dashboard, in one query: the newest run, and the newest that swept the
    records; without the mismatches, which the dashboard only counts."""
    newest = AuditVerification.objects.order_by("-started_at", "-id").values("pk")[:1]
    newest_swept = (
        AuditVerification.objects.filter(content_ok__isnull=False)
        .order_by("-started_at", "-id")
        .values("pk")[:1]
    )
    rows = list(
        AuditVerification.objects.select_related("by")
        .defer("mismatches")
        .filter(Q(pk=Subquery(newest)) | Q(pk=Subquery(newest_swept)))
    )
    return LatestVerifications(
        chain=rows[0] if rows else None,
        content=next((run for run in rows if run.content_ok is not None), None),
    )


# A run still unfinished after this long died with its worker: it no longer holds
# up a new one.
VERIFICATION_STALE_AFTER = datetime.timedelta(hours=2)


def verification_in_progress() -> AuditVerification | None:
    return (
        AuditVerification.objects.filter(
            finished_at__isnull=True,
            started_at__gte=timezone.now() - VERIFICATION_STALE_AFTER,
        )
        .order_by("-started_at")
        .first()
    )


def audit_event(pk: int | None) -> AuditEvent | None:
    if pk is None:
        return None
    return AuditEvent.objects.select_related("actor", "request").filter(pk=pk).first()
