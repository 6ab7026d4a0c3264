"""The portal's models, one module per concern."""

from .audit import AuditEvent, AuditHead, AuditVerification
from .figures import DashboardSnapshot
from .grounds import Ground, Instruction
from .notifications import EmailPreference, Notification, Reminder
from .people import AUDITORS_GROUP, BPS_MAX, BPS_MIN, Organisation, ServiceGroup, User
from .requests import (
    ApprovalStep,
    Attachment,
    ConductRule,
    Delegation,
    PermissionRequest,
    Platform,
    ReferenceSequence,
    RoutingRule,
)

__all__ = [
    "AUDITORS_GROUP",
    "BPS_MAX",
    "BPS_MIN",
    "ApprovalStep",
    "Attachment",
    "AuditEvent",
    "AuditHead",
    "AuditVerification",
    "ConductRule",
    "DashboardSnapshot",
    "Delegation",
    "EmailPreference",
    "Ground",
    "Instruction",
    "Notification",
    "Organisation",
    "PermissionRequest",
    "Platform",
    "ReferenceSequence",
    "Reminder",
    "RoutingRule",
    "ServiceGroup",
    "User",
]
