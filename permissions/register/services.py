"""Every change to the register, each one an event on the audit chain in the same
transaction as the change."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from permissions import audit, services
from permissions.audit import SYSTEM, Origin
from permissions.content import recorded_value
from permissions.errors import WorkflowError
from permissions.models import PermissionRequest, User
from permissions.models.requests import AccountType, Capacity, Participation, Timing
from permissions.states import Action

from .models import Confirmation, Entry, OnlineGroup, SocialAccount

# The fields each kind of entry declares, in the order the pages show them.
ACCOUNT_FIELDS = ["platform", "handle", "capacity", "since"]
GROUP_FIELDS = ["platform", "name", "purpose", "size", "official", "role", "since"]

# How long a permission asked from the register runs: the register is declared again yearly.
PERMISSION_DAYS = 364


def kind_of(entry: Entry) -> str:
    return "account" if isinstance(entry, SocialAccount) else "group"


def fields_of(entry: Entry) -> list[str]:
    return ACCOUNT_FIELDS if isinstance(entry, SocialAccount) else GROUP_FIELDS


def _recorded(entry: Entry, name: str) -> Any:
    if name == "platform":
        return {"id": entry.platform_id, "name": str(entry.platform)}
    return recorded_value(getattr(entry, name))


def _snapshot(entry: Entry) -> dict[str, Any]:
    return {name: _recorded(entry, name) for name in fields_of(entry)}


@transaction.atomic
def entry_add(*, entry: Entry, owner: User, origin: Origin = SYSTEM) -> Entry:
    entry.owner = owner
    entry.save()
    audit.record(
        Action.REGISTER_ADD,
        actor=owner,
        data={"kind": kind_of(entry), "entry": entry.pk, "declared": _snapshot(entry)},
        origin=origin,
    )
    return entry


@transaction.atomic
def entry_change(
    *, entry: Entry, by: User, data: dict[str, Any], origin: Origin = SYSTEM
) -> list[str]:
    """Apply what the owner changed; returns the names of the fields that changed."""
    locked = type(entry)._default_manager.select_for_update().get(pk=entry.pk)
    _check_owner(locked, by)
    changed = [name for name in fields_of(locked) if getattr(locked, name) != data.get(name)]
    if not changed:
        return []
    before = {name: _recorded(locked, name) for name in changed}
    for name in changed:
        setattr(locked, name, data[name])
    locked.save()
    audit.record(
        Action.REGISTER_CHANGE,
        actor=by,
        data={
            "kind": kind_of(locked),
            "entry": locked.pk,
            "changes": {
                name: {"old": before[name], "new": _recorded(locked, name)} for name in changed
            },
        },
        origin=origin,
    )
    return changed


@transaction.atomic
def entry_remove(*, entry: Entry, by: User, origin: Origin = SYSTEM) -> None:
    """Mark the entry removed; the row stays, so the record shows what was declared."""
    locked = type(entry)._default_manager.select_for_update().get(pk=entry.pk)
    _check_owner(locked, by)
    locked.removed_at = timezone.now()
    locked.save(update_fields=["removed_at", "updated_at"])
    audit.record(
        Action.REGISTER_REMOVE,
        actor=by,
        data={"kind": kind_of(locked), "entry": locked.pk, "declared": _snapshot(locked)},
        origin=origin,
    )


@transaction.atomic
def register_confirm(*, owner: User, origin: Origin = SYSTEM) -> Confirmation:
    """The owner's word that the register is complete as it stands."""
    confirmation = Confirmation.objects.create(owner=owner)
    audit.record(
        Action.REGISTER_CONFIRM,
        actor=owner,
        data={
            "accounts": SocialAccount.objects.filter(owner=owner, removed_at=None).count(),
            "groups": OnlineGroup.objects.filter(owner=owner, removed_at=None).count(),
        },
        origin=origin,
    )
    return confirmation


@transaction.atomic
def permission_ask(*, entry: Entry, by: User, origin: Origin = SYSTEM) -> PermissionRequest:
    """A draft request for what the entry needs permission for, filled in from it, for
    the owner to complete and submit: the same workflow, routing and decisions as any
    other request."""
    locked = type(entry)._default_manager.select_for_update().get(pk=entry.pk)
    _check_owner(locked, by)
    if not locked.needs_permission:
        raise WorkflowError(_("This entry needs no permission."))
    current = locked.permission
    if current is not None and not locked.may_ask_permission:
        raise WorkflowError(
            _("Permission is already asked for in %(reference)s (%(status)s).")
            % {"reference": current.reference, "status": current.get_status_display()}
        )
    today = timezone.localdate()
    data = _request_data(locked) | {
        "platform": locked.platform,
        "participation": Participation.POST,
        "timing": Timing.PERIOD,
        "period_start": today,
        "period_end": today + datetime.timedelta(days=PERMISSION_DAYS),
    }
    draft = services.request_create(applicant=by, data=data)
    locked.permission = draft
    locked.save(update_fields=["permission", "updated_at"])
    audit.record(
        Action.REGISTER_PERMISSION,
        actor=by,
        request=draft,
        data={"kind": kind_of(locked), "entry": locked.pk},
        origin=origin,
    )
    return draft


def _request_data(entry: Entry) -> dict[str, Any]:
    if isinstance(entry, SocialAccount):
        return {
            "outlet": entry.handle,
            "topic": _("Running the official account %(handle)s") % {"handle": entry.handle},
            "summary": _("Posting for my office from the official account %(handle)s.")
            % {"handle": entry.handle},
            "capacity": Capacity.OFFICIAL,
            "account_type": AccountType.OFFICIAL,
        }
    assert isinstance(entry, OnlineGroup)  # noqa: S101 - the two kinds of entry
    return {
        "outlet": entry.name,
        "topic": _("Administering the group “%(name)s”") % {"name": entry.name},
        "summary": entry.purpose,
        "capacity": Capacity.OFFICIAL if entry.official else Capacity.PERSONAL,
        "account_type": AccountType.OFFICIAL if entry.official else AccountType.PERSONAL,
        "administers_group": True,
    }


def _check_owner(entry: Entry, by: User) -> None:
    if entry.owner_id != by.pk:
        raise WorkflowError(_("Only the person who declared it may change this entry."))
    if entry.removed_at is not None:
        raise WorkflowError(_("This entry has been removed from the register."))
