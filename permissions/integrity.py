"""Whether the present still is what the audit chain recorded.

The chain proves its own events; this checks the rest of the database and the files
against them. A request's row must still hold what its newest workflow event recorded
of the decision (`content.decision_digest`) and of what it says
(`content.content_digest`), and each file must still have the SHA-256 recorded when it
was uploaded. A letter or the public check shows a permission as valid only when all of
that holds (`check`); a file is given out only when its bytes are the ones recorded
(`check_file`); the nightly sweep goes through every request and file (`sweep`).

A mismatch is raised, once for each state of the request, to the auditors: an audit
event on the chain and a notification to every auditor through the outbox.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import audit
from .audit import SYSTEM, Origin
from .content import content_digest_with, deciding_step, decision_digest_with
from .models import AUDITORS_GROUP, ApprovalStep, Attachment, AuditEvent, PermissionRequest, User
from .models.notifications import NotificationKind
from .outbox import notify
from .paging import BY_ID, batches
from .states import Action, Status

BATCH_SIZE = 500

RowT = TypeVar("RowT", ApprovalStep, Attachment)
_CHUNK = 1 << 20


class Standing(models.TextChoices):
    """What a permission is worth today, as a letter or the public check says it."""

    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    UNCONFIRMED = "unconfirmed", _("Cannot be confirmed")
    # Never approved (a draft, a pending, rejected or withdrawn request): no permission.
    NOT_GRANTED = "not_granted", _("Not granted")


class Noticed(models.TextChoices):
    """Who found a mismatch, as the alert tells the auditors."""

    VERIFICATION = "verification", _("the public check of a permission letter")
    LETTER = "letter", _("a download of the permission letter")
    DOWNLOAD = "download", _("a download of an attached file")
    SWEEP = "sweep", _("the nightly check of every record against the audit trail")


class What(models.TextChoices):
    DECISION = "decision", _("what was decided")
    CONTENT = "content", _("what the request says")
    FILE = "file", _("an attached file")


def what_label(code: str) -> str:
    """The words for a kind of mismatch a run kept; a kind this version does not know
    (a later one may add some) is shown as it was recorded rather than refused."""
    try:
        return str(What(code).label)
    except ValueError:
        return code


@dataclass(frozen=True)
class Mismatch:
    request_id: int
    reference: str
    what: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "request": self.request_id,
            "reference": self.reference,
            "what": self.what,
            "detail": self.detail,
        }

    def __str__(self) -> str:
        return f"{self.reference}: {what_label(self.what)}: {self.detail}"


@dataclass(frozen=True)
class Check:
    standing: Standing
    mismatches: tuple[Mismatch, ...] = ()

    @property
    def confirmed(self) -> bool:
        return not self.mismatches

    @property
    def valid(self) -> bool:
        return self.standing == Standing.VALID


def contact() -> str:
    """Whom a letter or the public check tells people to contact when a permission
    cannot be confirmed: INTEGRITY_CONTACT, or the Establishment Division."""
    return str(settings.INTEGRITY_CONTACT or _("the Establishment Division"))


# --- files -------------------------------------------------------------------------------


def file_digest(attachment: Attachment) -> str | None:
    """The SHA-256 of the file's bytes as they are now; None if the file is gone."""
    digest = hashlib.sha256()
    try:
        with attachment.file.open("rb") as stream:
            for chunk in iter(lambda: stream.read(_CHUNK), b""):
                digest.update(chunk)
    except (OSError, ValueError):
        return None
    return digest.hexdigest()


def file_mismatch(attachment: Attachment, reference: str) -> Mismatch | None:
    actual = file_digest(attachment)
    if actual == attachment.sha256:
        return None
    if actual is None:
        detail = str(_("%(name)s is missing from storage")) % {"name": attachment.original_name}
    else:
        detail = str(
            _("%(name)s has SHA-256 %(actual)s, not the %(recorded)s recorded at upload")
        ) % {
            "name": attachment.original_name,
            "actual": actual[:16] + "…",
            "recorded": attachment.sha256[:16] + "…",
        }
    return Mismatch(attachment.request_id, reference, What.FILE, detail)


# --- rows --------------------------------------------------------------------------------


def _row_mismatches(
    request: PermissionRequest,
    decision: tuple[int, str] | None,
    content: tuple[int, str] | None,
    step: ApprovalStep | None,
    attachments: Iterable[Attachment],
) -> list[Mismatch]:
    """`decision` and `content`: the newest event recording each, as (id, digest)."""
    found = []
    if decision is None:
        if request.status != Status.DRAFT:
            found.append(
                Mismatch(
                    request.pk,
                    request.reference,
                    What.DECISION,
                    str(_("it is %(status)s, but no action of the workflow is recorded on it"))
                    % {"status": Status(request.status).label.lower()},
                )
            )
    elif decision[1] != decision_digest_with(request, step):
        found.append(
            Mismatch(
                request.pk,
                request.reference,
                What.DECISION,
                str(
                    _(
                        "its status, validity, conditions, reasons or deciding officer differ "
                        "from what audit event #%(event)s recorded"
                    )
                )
                % {"event": decision[0]},
            )
        )
    if content is not None and content[1] != content_digest_with(request, attachments):
        found.append(
            Mismatch(
                request.pk,
                request.reference,
                What.CONTENT,
                str(
                    _(
                        "what it says (topic, outlet, dates or its files' list) differs from what "
                        "audit event #%(event)s recorded"
                    )
                )
                % {"event": content[0]},
            )
        )
    return found


def _deciding(steps: Iterable[ApprovalStep], round_: int) -> ApprovalStep | None:
    decided = [s for s in steps if s.round == round_ and s.acted_by_id is not None]
    return max(decided, key=lambda s: s.order, default=None)


def _mismatches(
    request: PermissionRequest,
    recorded: dict[tuple[int, str], tuple[int, str]],
    step: ApprovalStep | None,
    attachments: list[Attachment],
    *,
    files: bool,
) -> list[Mismatch]:
    """The request's row (and with `files`, each file's bytes) against what its events
    recorded: `recorded` from _recorded_digests, `step` its deciding step."""
    found = _row_mismatches(
        request,
        recorded.get((request.pk, "decision")),
        recorded.get((request.pk, "content")),
        step,
        attachments,
    )
    if files:
        found += [
            mismatch
            for attachment in attachments
            if (mismatch := file_mismatch(attachment, request.reference)) is not None
        ]
    return found


def mismatches_of(request: PermissionRequest, *, files: bool = True) -> list[Mismatch]:
    """Everything about the request that no longer matches the chain."""
    # .all(), sorted here: uses the attachments a page has prefetched already.
    attachments = sorted(request.attachments.all(), key=lambda a: a.pk)
    return _mismatches(
        request,
        _recorded_digests([request.pk]),
        deciding_step(request),
        attachments,
        files=files,
    )


# --- standing ----------------------------------------------------------------------------


def standing_of(request: PermissionRequest, today: datetime.date | None = None) -> Standing:
    """What the row says the permission is worth today. An approval past its last day
    is expired at once, before the hourly job marks it so."""
    today = today or timezone.localdate()
    if request.status == Status.APPROVED:
        if request.valid_until is None or request.valid_until < today:
            return Standing.EXPIRED
        return Standing.VALID
    if request.status == Status.EXPIRED:
        return Standing.EXPIRED
    if request.status == Status.REVOKED:
        return Standing.REVOKED
    return Standing.NOT_GRANTED


def check(
    request: PermissionRequest,
    *,
    noticed_by: Noticed,
    files: bool = True,
    today: datetime.date | None = None,
    actor: User | None = None,
    origin: Origin = SYSTEM,
) -> Check:
    """The permission's standing today, confirmed against the chain: "cannot be
    confirmed" whenever the row or (with `files`) a file no longer matches, and then the
    auditors are told."""
    mismatches = mismatches_of(request, files=files)
    if mismatches:
        raise_alert(request, mismatches, noticed_by=noticed_by, actor=actor, origin=origin)
        return Check(Standing.UNCONFIRMED, tuple(mismatches))
    return Check(standing_of(request, today))


def check_file(
    attachment: Attachment,
    *,
    request: PermissionRequest,
    noticed_by: Noticed = Noticed.DOWNLOAD,
    actor: User | None = None,
    origin: Origin = SYSTEM,
) -> Mismatch | None:
    """Whether the file's bytes are still the ones recorded; a mismatch is raised."""
    mismatch = file_mismatch(attachment, request.reference)
    if mismatch is not None:
        raise_alert(request, [mismatch], noticed_by=noticed_by, actor=actor, origin=origin)
    return mismatch


# --- alerts ------------------------------------------------------------------------------


def auditors() -> models.QuerySet[User]:
    return User.objects.filter(groups__name=AUDITORS_GROUP, is_active=True).distinct()


def _alert_key(request: PermissionRequest, mismatches: Iterable[Mismatch]) -> str:
    """The same mismatch of the same state of a request is raised once: the key names
    the request's newest event that recorded a state of it (its decision or what it
    says; not a download or an alert, which change nothing) and what does not match."""
    newest = (
        AuditEvent.objects.filter(request=request)
        .filter(Q(data__has_key="decision") | Q(data__has_key="content"))
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    what = hashlib.sha256(
        "\n".join(sorted(f"{m.what}:{m.detail}" for m in mismatches)).encode()
    ).hexdigest()[:16]
    return f"integrity:{request.pk}:after{newest}:{what}"


def raise_alert(
    request: PermissionRequest,
    mismatches: list[Mismatch],
    *,
    noticed_by: Noticed | str,
    actor: User | None = None,
    origin: Origin = SYSTEM,
) -> AuditEvent | None:
    """Record the mismatch on the chain and tell every auditor, unless this very
    mismatch of this state of the request was raised already. Returns the event written."""
    key = _alert_key(request, mismatches)
    action = (
        Action.FILE_MISMATCH
        if all(m.what == What.FILE for m in mismatches)
        else Action.INTEGRITY_MISMATCH
    )
    noticed = Noticed(noticed_by)
    with transaction.atomic():
        # Queue behind other appenders first, so that two who find the same mismatch at
        # the same moment do not both raise it.
        audit.serialise_appends()
        if AuditEvent.objects.filter(request=request, action=action, data__key=key).exists():
            return None
        event = audit.record(
            action,
            request=request,
            actor=actor,
            comment="\n".join(str(m) for m in mismatches),
            data={
                "key": key,
                "noticed_by": noticed.value,
                "mismatches": [m.as_dict() for m in mismatches],
            },
            origin=origin,
        )
        notify(
            recipients=auditors(),
            kind=NotificationKind.INTEGRITY_ALERT,
            key=key,
            request=request,
            context={
                "problem": "; ".join(f"{What(m.what).label}: {m.detail}" for m in mismatches),
                "noticed_by": str(noticed.label),
            },
        )
    return event


# --- requests decided before decisions were digested -------------------------------------


def record_baselines(*, batch_size: int = BATCH_SIZE) -> int:
    """Put on the chain, once, what each request decided before the workflow's events
    recorded decisions holds now (migration 0014 runs this on an upgraded database).

    Such an event proves only that the row has not changed since it was written, not
    what was decided back then: its comment says so. Requests that already have a
    decision on the chain, and drafts that never had one, are left alone. Returns how
    many were recorded."""
    recorded = 0
    pending = PermissionRequest.objects.exclude(status=Status.DRAFT).exclude(
        pk__in=AuditEvent.objects.filter(request__isnull=False, data__has_key="decision").values(
            "request_id"
        )
    )
    for batch in batches(pending, sort=BY_ID, size=batch_size, key=("pk", "pk")):
        for request in batch:
            with transaction.atomic():
                audit.record(
                    Action.INTEGRITY_BASELINE,
                    request=request,
                    from_status=request.status,
                    to_status=request.status,
                    comment=str(
                        _(
                            "Decided before the audit trail recorded decisions: this records "
                            "the decision as it stood then, so that any later change shows."
                        )
                    ),
                    data={"decision": decision_digest_with(request, deciding_step(request))},
                )
            recorded += 1
    return recorded


# --- the sweep ---------------------------------------------------------------------------


@dataclass
class Sweep:
    requests_checked: int = 0
    files_checked: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _swept_requests(batch_size: int) -> Iterator[list[PermissionRequest]]:
    yield from batches(
        PermissionRequest.objects.all(), sort=BY_ID, size=batch_size, key=("pk", "pk")
    )


def _by_request(rows: Iterable[RowT]) -> dict[int, list[RowT]]:
    grouped: dict[int, list[RowT]] = {}
    for row in rows:
        grouped.setdefault(row.request_id, []).append(row)
    return grouped


def _recorded_digests(request_ids: list[int]) -> dict[tuple[int, str], tuple[int, str]]:
    """For each of the requests, the newest event recording each digest: (request id,
    "decision" or "content") -> (event id, digest). One query over the requests' events,
    by the (request, id) index: a request has a handful of events."""
    latest: dict[tuple[int, str], tuple[int, str]] = {}
    events = (
        AuditEvent.objects.filter(request_id__in=request_ids)
        .filter(Q(data__has_key="decision") | Q(data__has_key="content"))
        .order_by("pk")
        .values_list("pk", "request_id", "data")
    )
    for event_id, request_id, data in events:
        for key in ("decision", "content"):
            if key in data:
                latest[request_id, key] = (event_id, str(data[key]))
    return latest


def sweep(*, batch_size: int = BATCH_SIZE, alert: bool = True) -> Sweep:
    """Every request's row and every file against the chain, in batches of requests
    (constant memory, four queries a batch: the requests, their events recording
    digests, their decided steps, their files; grouped here rather than by
    prefetch_related, whose per-row querysets cost more than the checks). Each request
    found wanting is raised to the auditors (unless `alert` is off), once for each
    state of it."""
    result = Sweep()
    for batch in _swept_requests(batch_size):
        ids = [request.pk for request in batch]
        recorded = _recorded_digests(ids)
        steps = _by_request(ApprovalStep.objects.filter(request_id__in=ids, acted_by__isnull=False))
        files = _by_request(Attachment.objects.filter(request_id__in=ids).order_by("pk"))
        for request in batch:
            attachments = files.get(request.pk, [])
            result.requests_checked += 1
            result.files_checked += len(attachments)
            found = _mismatches(
                request,
                recorded,
                _deciding(steps.get(request.pk, []), request.round),
                attachments,
                files=True,
            )
            if found:
                result.mismatches.extend(found)
                if alert:
                    raise_alert(request, found, noticed_by=Noticed.SWEEP)
    return result
