"""The portal's vocabulary: what a request can be, what can happen to it and to the portal,
which actions lead from which states to which, and the named sets of states and actions
that pages, jobs and the console ask about. Each word is spelled here once, with the label
a person reads; permissions/workflow.py applies the table.

| from                      | action            | by                                  | to        |
| ------------------------- | ----------------- | ----------------------------------- | --------- |
| draft                     | submit            | applicant                           | pending   |
| pending                   | approve (not last)| step's officer, group or delegate   | pending   |
| pending                   | approve (last)    | step's officer, group or delegate   | approved  |
| pending                   | reject            | step's officer, group or delegate   | rejected  |
| pending                   | return            | step's officer, group or delegate   | returned  |
| returned                  | resubmit          | applicant                           | pending   |
| draft, pending, returned  | withdraw          | applicant                           | withdrawn |
| approved                  | revoke            | officer on the chain, or auditor    | revoked   |
| approved                  | expire            | the system, after valid_until       | expired   |
| pending                   | escalate          | the system, when a step is overdue  | pending   |
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending")
    RETURNED = "returned", _("Returned for clarification")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for an earlier step")
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Returned")
    CLOSED = "closed", _("Closed")


class Action(models.TextChoices):
    """Everything the audit trail records, each with the words the trail shows."""

    # What happens to a request: the workflow's actions, and the applicant's amendments.
    SUBMIT = "submit", _("Submitted")
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    RETURN = "return", _("Returned for clarification")
    RESUBMIT = "resubmit", _("Resubmitted")
    WITHDRAW = "withdraw", _("Withdrawn")
    REVOKE = "revoke", _("Revoked")
    EXPIRE = "expire", _("Expired")
    ESCALATE = "escalate", _("Escalated")
    AMEND = "amend", _("Amended")
    # Everything else the Establishment Division audits.
    DELEGATION_CREATE = "delegation.create", _("Delegation given")
    DELEGATION_END = "delegation.end", _("Delegation ended")
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login.failed", _("Sign-in refused")
    LOGIN_LOCKED = "login.locked", _("Signing in paused after repeated failures")
    LOGIN_UNLOCKED = "login.unlocked", _("Pause on signing in lifted")
    LOGOUT = "logout", _("Signed out")
    SESSION_TIMED_OUT = "session.timed_out", _("Signed out by the session's time limit")
    PASSWORD_CHANGE = "password.change", _("Password changed")
    SECOND_FACTOR_ENROLLED = "second_factor.enrolled", _("Second factor set up")
    SECOND_FACTOR_VERIFIED = "second_factor.verified", _("Second factor accepted")
    SECOND_FACTOR_FAILED = "second_factor.failed", _("Second-factor code refused")
    SECOND_FACTOR_BACKUP_USED = "second_factor.backup_used", _("Backup code used")
    SECOND_FACTOR_BACKUP_RENEWED = "second_factor.backup_renewed", _("New backup codes issued")
    SECOND_FACTOR_RESET = "second_factor.reset", _("Second factor reset by an administrator")
    ACCESS_DENIED = "access.denied", _("Access refused")
    LETTER_DOWNLOADED = "letter.downloaded", _("Permission letter downloaded")
    INTEGRITY_MISMATCH = "integrity.mismatch", _("Record no longer matches the audit trail")
    FILE_MISMATCH = "integrity.file_mismatch", _("File no longer matches the one submitted")
    INTEGRITY_BASELINE = "integrity.baseline", _("Decision taken onto the audit trail as it stood")
    AUDIT_KEY_ROTATED = "audit.key_rotated", _("Audit key changed")
    EXPORT = "export", _("Exported")
    ADMIN_ADD = "admin.add", _("Added in the admin")
    ADMIN_CHANGE = "admin.change", _("Changed in the admin")
    ADMIN_DELETE = "admin.delete", _("Deleted in the admin")
    AUDIT_VERIFY = "audit.verify", _("Audit chain verified")
    # The register of social-media accounts and groups (permissions/register/).
    REGISTER_ADD = "register.add", _("Declared in the register of accounts and groups")
    REGISTER_CHANGE = "register.change", _("Changed in the register of accounts and groups")
    REGISTER_REMOVE = "register.remove", _("Removed from the register of accounts and groups")
    REGISTER_CONFIRM = "register.confirm", _("Register of accounts and groups confirmed")
    REGISTER_PERMISSION = "register.permission", _("Permission asked for a register entry")


def label_of(choices: type[models.TextChoices], code: str) -> str:
    """The label a person reads for a stored code; an unknown code (a value written by a
    later version, say) is shown as it is rather than failing the page."""
    try:
        return str(choices(code).label)
    except ValueError:
        return code


# The allowed transitions: action -> (states it may start from, states it may lead to).
# APPROVE leads to PENDING while later steps remain, and to APPROVED at the last one.
TRANSITIONS: dict[Action, tuple[frozenset[Status], frozenset[Status]]] = {
    Action.SUBMIT: (frozenset({Status.DRAFT}), frozenset({Status.PENDING})),
    Action.APPROVE: (frozenset({Status.PENDING}), frozenset({Status.PENDING, Status.APPROVED})),
    Action.REJECT: (frozenset({Status.PENDING}), frozenset({Status.REJECTED})),
    Action.RETURN: (frozenset({Status.PENDING}), frozenset({Status.RETURNED})),
    Action.RESUBMIT: (frozenset({Status.RETURNED}), frozenset({Status.PENDING})),
    Action.WITHDRAW: (
        frozenset({Status.DRAFT, Status.PENDING, Status.RETURNED}),
        frozenset({Status.WITHDRAWN}),
    ),
    Action.REVOKE: (frozenset({Status.APPROVED}), frozenset({Status.REVOKED})),
    Action.EXPIRE: (frozenset({Status.APPROVED}), frozenset({Status.EXPIRED})),
    Action.ESCALATE: (frozenset({Status.PENDING}), frozenset({Status.PENDING})),
}

# --- named sets of states --------------------------------------------------------------

# Nothing more can happen to a request in these.
FINAL = frozenset({Status.REJECTED, Status.WITHDRAWN, Status.REVOKED, Status.EXPIRED})
# The applicant may change what the request says.
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
# The applicant may still take the request back.
WITHDRAWABLE = TRANSITIONS[Action.WITHDRAW][0]
# An officer may decide it.
DECIDABLE = TRANSITIONS[Action.APPROVE][0]
# A new request may renew it: it is, or was until its end, a permission.
RENEWABLE = frozenset({Status.APPROVED, Status.EXPIRED})
# It was approved at some point, whatever became of it since.
APPROVED_ONCE = frozenset({Status.APPROVED, Status.EXPIRED, Status.REVOKED})

# --- named sets of actions -------------------------------------------------------------

# What the workflow applies (the table above).
WORKFLOW_ACTIONS = frozenset(TRANSITIONS)
# What happened to a request itself: its participants see these on its page. The rest
# (refused access, sign-ins, exports, admin changes) is for the auditors' eyes only.
REQUEST_ACTIONS = WORKFLOW_ACTIONS | {Action.AMEND}
# An officer's decision at a step.
STEP_DECISIONS = frozenset({Action.APPROVE, Action.REJECT, Action.RETURN})
# Decisions on a request by an officer, or by an auditor revoking.
DECISIONS = STEP_DECISIONS | {Action.REVOKE}
# The actions taken on what a request says: their audit events record its content digest,
# so that the chain shows what was submitted and what was decided on.
CONTENT_RECORDED = STEP_DECISIONS | {Action.SUBMIT, Action.RESUBMIT}
