"""What a request says, and what was decided on it, as digests the audit chain can hold.

The audit events of a submission and of each decision carry `content_digest` of the
request at that moment, so that the chain proves not only that a request was approved
but what was approved: the topic, the outlet, the dates, the files. Whoever changes
the request's row or its files afterwards, outside the portal, leaves it no longer
matching the digest its last event recorded (`content_matches`).

Every action of the workflow also records `decision_digest`: the status, the validity
dates, the conditions, the reasons and rule, and the officer whose step decided it (and
for whom, under a delegation). Changing a request from rejected to approved, or its
`valid_until` by ten years, in the database leaves it no longer matching its last
decision (`decision_matches`).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from .models import ApprovalStep, Attachment, AuditEvent, PermissionRequest

# The fields an applicant fills in; everything else is set by the workflow.
EDITABLE_FIELDS = [
    "platform",
    "participation",
    "outlet",
    "outlet_url",
    "topic",
    "summary",
    "capacity",
    "account_type",
    "administers_group",
    "timing",
    "event_at",
    "period_start",
    "period_end",
    "official_information",
    "official_information_justification",
    "honorarium",
    "honorarium_amount",
]

# Foreign keys are read by their column (platform_id), without loading the row.
_COLUMNS = {"platform": "platform_id"}

# Which version of the digest an event's "content" names, so it can change later.
DIGEST_VERSION = 1


def recorded_value(value: Any) -> Any:
    """A field's value as the chain records it: a time in UTC and a date as ISO text, an
    amount as text, anything else as it is."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    return value


def content_digest(request: PermissionRequest) -> str:
    """SHA-256 over the request's reference, applicant, the fields the applicant filled
    in, and its files (their SHA-256, name and size)."""
    # .all(): uses the attachments a page has prefetched already.
    return content_digest_with(request, request.attachments.all())


def content_digest_with(request: PermissionRequest, attachments: Iterable[Attachment]) -> str:
    """`content_digest`, given the request's attachments (read already)."""
    fields = {
        name: recorded_value(getattr(request, _COLUMNS.get(name, name))) for name in EDITABLE_FIELDS
    }
    files = [
        [attachment.sha256, attachment.original_name, attachment.size]
        for attachment in sorted(attachments, key=lambda a: a.pk)
    ]
    payload = {
        "v": DIGEST_VERSION,
        "reference": request.reference,
        "applicant": request.applicant_id,
        "fields": fields,
        "files": files,
    }
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def last_recorded(request: PermissionRequest) -> AuditEvent | None:
    """The request's newest audit event that recorded its content."""
    return (
        AuditEvent.objects.filter(request=request, data__has_key="content").order_by("-pk").first()
    )


def content_matches(request: PermissionRequest) -> tuple[bool, AuditEvent] | None:
    """Whether the request still says what its newest content-recording event saw, and
    that event; None for a request never submitted."""
    event = last_recorded(request)
    if event is None:
        return None
    return event.data.get("content") == content_digest(request), event


def deciding_step(request: PermissionRequest) -> ApprovalStep | None:
    """The step of the request's current round that decided it last: the final
    approval of an approved (later revoked or expired) request, the rejecting or
    returning step; None before any step was decided."""
    return (
        ApprovalStep.objects.select_related("acted_by", "acted_for")
        .filter(request_id=request.pk, round=request.round, acted_by__isnull=False)
        .order_by("-order")
        .first()
    )


def decision_digest(request: PermissionRequest) -> str:
    """SHA-256 over what was decided on the request: its status, round and step, the
    validity dates, conditions, reasons, rule and grounds cited, and who decided at which
    step, for whom."""
    return decision_digest_with(request, deciding_step(request))


def decision_digest_with(request: PermissionRequest, step: ApprovalStep | None) -> str:
    """`decision_digest`, given the request's `deciding_step` (looked up already)."""
    payload = {
        "v": DIGEST_VERSION,
        "reference": request.reference,
        "status": request.status,
        "round": request.round,
        "current_step": request.current_step,
        "valid_from": recorded_value(request.valid_from),
        "valid_until": recorded_value(request.valid_until),
        "conditions": list(request.conditions or []),
        "conditions_text": request.conditions_text,
        "reason": request.decision_reason,
        "rule": request.decision_rule_id,
        "decided_at": recorded_value(request.decided_at),
        "step": ([step.order, step.status, step.acted_by_id, step.acted_for_id] if step else None),
    }
    if request.decision_grounds:
        # The grounds an officer cited, in the words cited. Only when there are some, so
        # the digests recorded before grounds could be cited still match their rows.
        payload["grounds"] = list(request.decision_grounds)
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def last_decided(request: PermissionRequest) -> AuditEvent | None:
    """The request's newest audit event that recorded what was decided."""
    return (
        AuditEvent.objects.filter(request=request, data__has_key="decision").order_by("-pk").first()
    )


def decision_matches(request: PermissionRequest) -> tuple[bool, AuditEvent] | None:
    """Whether the request's row still holds what its newest decision-recording event
    saw, and that event; None for a request no action of the workflow has touched."""
    event = last_decided(request)
    if event is None:
        return None
    return event.data.get("decision") == decision_digest(request), event
