"""What a request says, as one digest the audit chain can hold.

The audit events of a submission and of each decision carry `content_digest` of the
request at that moment, so that the chain proves not only that a request was approved
but what was approved: the topic, the outlet, the dates, the files. Whoever changes
the request's row or its files afterwards, outside the portal, leaves it no longer
matching the digest its last event recorded (`content_matches`).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from decimal import Decimal
from typing import Any

from .models import AuditEvent, PermissionRequest

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


def _value(value: Any) -> Any:
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
    fields = {name: _value(getattr(request, _COLUMNS.get(name, name))) for name in EDITABLE_FIELDS}
    # .all(), sorted here: uses the attachments a page has prefetched already.
    files = [
        [attachment.sha256, attachment.original_name, attachment.size]
        for attachment in sorted(request.attachments.all(), key=lambda a: a.pk)
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
