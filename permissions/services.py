"""Writes other than state changes: drafts, attachments, delegations, renewals.

State changes go through ``workflow``; these functions never touch ``status``.
"""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import audit, outbox
from .attachments import AttachmentRefused, check_upload
from .audit import SYSTEM, Origin
from .content import EDITABLE_FIELDS, content_digest, recorded_value
from .errors import WorkflowError
from .models import (
    Attachment,
    Delegation,
    EmailPreference,
    Notification,
    PermissionRequest,
    User,
)
from .models.notifications import ALWAYS_EMAILED, NotificationKind
from .references import next_reference
from .selectors import renewable
from .states import EDITABLE, RENEWABLE, Action, Status


@transaction.atomic
def request_create(
    *, applicant: User, data: dict[str, Any], renews: PermissionRequest | None = None
) -> PermissionRequest:
    """A new draft with its reference issued at once, so the applicant can quote it."""
    request = PermissionRequest(applicant=applicant, renews=renews)
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(request, name, data[name])
    request.reference = next_reference(timezone.localdate().year)
    request.save()
    return request


@transaction.atomic
def request_update(
    *, request: PermissionRequest, by: User, data: dict[str, Any], origin: Origin
) -> list[str]:
    """Change a draft, or amend a returned request; returns the fields that changed.

    Amendments to a returned request are audited, since the officer decides on them.
    """
    locked = PermissionRequest.objects.select_for_update().get(pk=request.pk)
    if locked.applicant_id != by.pk:
        raise WorkflowError(_("Only the applicant may change this request."))
    if locked.status not in EDITABLE:
        raise WorkflowError(
            _("%(reference)s can no longer be changed: it is %(status)s.")
            % {"reference": locked.reference, "status": locked.get_status_display()}
        )
    changed = [
        name for name in EDITABLE_FIELDS if name in data and getattr(locked, name) != data[name]
    ]
    amending = locked.status == Status.RETURNED
    # Read before the new values are set: the timeline shows what each field said before.
    before = {name: _as_recorded(locked, name) for name in changed} if amending else {}
    for name in changed:
        setattr(locked, name, data[name])
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
        if amending:
            changes = {
                name: {"old": before[name], "new": _as_recorded(locked, name)} for name in changed
            }
            audit.record(
                Action.AMEND,
                request=locked,
                actor=by,
                from_status=locked.status,
                to_status=locked.status,
                data={"fields": changed, "changes": changes, "content": content_digest(locked)},
                origin=origin,
            )
    for name in EDITABLE_FIELDS:
        setattr(request, name, getattr(locked, name))
    return changed


def _as_recorded(request: PermissionRequest, name: str) -> Any:
    """A field's value as an amendment's audit event keeps it: the stored value (a choice's
    code, a date as ISO text, an amount as text), so that the event reads the same in any
    language; the platform also by its name, as the applicant chose it then."""
    if name == "platform":
        platform = request.platform if request.platform_id is not None else None
        return {"id": request.platform_id, "name": str(platform) if platform else ""}
    return recorded_value(getattr(request, name))


def _audit_file_change(
    request: PermissionRequest, by: User, attachment: Attachment, change: str, origin: Origin
) -> None:
    """A file added to or removed from a returned request is an amendment the officer
    decides on: audited, with the request's new content digest."""
    if request.status != Status.RETURNED:
        return
    audit.record(
        Action.AMEND,
        request=request,
        actor=by,
        from_status=request.status,
        to_status=request.status,
        data={
            "files": change,
            "file": attachment.original_name,
            "sha256": attachment.sha256,
            "content": content_digest(request),
        },
        origin=origin,
    )


@transaction.atomic
def attachment_add(
    *, request: PermissionRequest, by: User, upload: UploadedFile, origin: Origin = SYSTEM
) -> Attachment:
    """Attach a checked file to a draft or returned request."""
    from django.conf import settings

    # Locked, so that the request cannot be submitted while its file is being added.
    request = PermissionRequest.objects.select_for_update().get(pk=request.pk)
    if request.applicant_id != by.pk or request.status not in EDITABLE:
        raise AttachmentRefused(_("Files can be attached only while the request can be edited."))
    if request.attachments.count() >= settings.ATTACHMENTS_PER_REQUEST:
        raise AttachmentRefused(
            _("%(name)s was not attached: a request may have at most %(count)s files.")
            % {"name": upload.name, "count": settings.ATTACHMENTS_PER_REQUEST}
        )
    checked = check_upload(upload)
    attachment = Attachment(
        request=request,
        original_name=(upload.name or "file")[:255],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    attachment.file.save(upload.name or "file", upload, save=False)
    attachment.save()
    _audit_file_change(request, by, attachment, "added", origin)
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, by: User, origin: Origin = SYSTEM) -> None:
    request = PermissionRequest.objects.select_for_update().get(pk=attachment.request_id)
    if request.applicant_id != by.pk or request.status not in EDITABLE:
        raise WorkflowError(_("Files can be removed only while the request can be edited."))
    attachment.delete()
    _audit_file_change(request, by, attachment, "removed", origin)
    # The file itself goes once the removal is committed: a rollback keeps both.
    transaction.on_commit(partial(attachment.file.storage.delete, attachment.file.name))


def renewal_start(*, approval: PermissionRequest, by: User) -> PermissionRequest:
    """A new draft that copies an approved (or expired) request and points back at it,
    once the permission has started."""
    if approval.applicant_id != by.pk:
        raise WorkflowError(_("Only the applicant may renew this permission."))
    if approval.status not in RENEWABLE:
        raise WorkflowError(_("Only an approved or expired permission can be renewed."))
    if approval.valid_from is not None and not renewable(request=approval):
        # Until its first day the permission still covers the dates a renewal would ask for.
        raise WorkflowError(
            _("%(reference)s cannot be renewed before it starts on %(date)s.")
            % {
                "reference": approval.reference,
                "date": date_format(approval.valid_from, "DATE_FORMAT"),
            }
        )
    data = {name: getattr(approval, name) for name in EDITABLE_FIELDS}
    data.update(event_at=None, period_start=None, period_end=None)
    return request_create(applicant=by, data=data, renews=approval)


@transaction.atomic
def delegation_create(
    *,
    by: User,
    to: User,
    starts: datetime.date,
    ends: datetime.date,
    reason: str = "",
    origin: Origin,
) -> Delegation:
    delegation = Delegation(
        delegator=by, delegate=to, starts_on=starts, ends_on=ends, reason=reason.strip()
    )
    errors: dict[str, list[str]] = {}
    if to.pk == by.pk:
        errors["delegate"] = [_("You cannot delegate to yourself.")]
    elif not to.is_active:
        errors["delegate"] = [_("This person's account is not active.")]
    if ends < starts:
        errors["ends_on"] = [_("The delegation cannot end before it starts.")]
    elif ends < timezone.localdate():
        errors["ends_on"] = [_("This period has already ended.")]
    if errors:
        raise ValidationError(errors)
    delegation.save()
    event = audit.record(
        Action.DELEGATION_CREATE,
        actor=by,
        data={
            "delegation": delegation.pk,
            "delegate": to.pk,
            "starts_on": starts.isoformat(),
            "ends_on": ends.isoformat(),
        },
        comment=delegation.reason,
        origin=origin,
    )
    outbox.notify(
        recipients=[by, to],
        kind=NotificationKind.DELEGATION_STARTED,
        key=f"event{event.pk}",
        context={"delegation": delegation},
    )
    return delegation


@transaction.atomic
def delegation_end(
    *, delegation: Delegation, by: User, origin: Origin, as_administrator: bool = False
) -> Delegation:
    """End a delegation now: by the officer who gave it, or by an administrator (the
    admin's "end now" action, for an officer back early who cannot do it themselves).
    Both officers are told; ending one that has ended already does nothing."""
    if delegation.delegator_id != by.pk and not as_administrator:
        raise WorkflowError(_("Only the officer who gave a delegation may end it."))
    locked = (
        Delegation.objects.select_for_update()
        .select_related("delegator", "delegate")
        .get(pk=delegation.pk)
    )
    # Ended already: early, or by itself after its last day (announced by the schedule).
    if locked.cancelled_at is not None or locked.ends_on < timezone.localdate():
        return locked
    locked.cancelled_at = timezone.now()
    locked.save(update_fields=["cancelled_at"])
    event = audit.record(
        Action.DELEGATION_END,
        actor=by,
        data={
            "delegation": locked.pk,
            "delegator": locked.delegator_id,
            "delegate": locked.delegate_id,
        },
        origin=origin,
    )
    outbox.notify(
        recipients=[locked.delegator, locked.delegate],
        kind=NotificationKind.DELEGATION_ENDED,
        key=f"event{event.pk}",
        context={"delegation": locked},
    )
    return locked


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark some (or all) of a person's notifications read; others' are never touched."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=timezone.now())


@transaction.atomic
def email_preferences_set(*, user: User, emailed_kinds: set[str]) -> None:
    """Keep e-mail on for `emailed_kinds`, off for every other kind a person may switch.
    Decisions on their own requests always go out and are not switchable."""
    switchable = set(NotificationKind.values) - set(ALWAYS_EMAILED)
    opted_out = switchable - emailed_kinds
    EmailPreference.objects.filter(user=user).exclude(kind__in=opted_out).delete()
    EmailPreference.objects.bulk_create(
        [EmailPreference(user=user, kind=kind) for kind in sorted(opted_out)],
        ignore_conflicts=True,
    )
