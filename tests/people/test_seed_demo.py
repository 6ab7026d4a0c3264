from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from permissions.models import (
    AUDITORS_GROUP,
    ApprovalStep,
    AuditEvent,
    Organisation,
    PermissionRequest,
    RoutingRule,
    User,
)
from permissions.states import Status

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        Organisation.objects.count(),
        User.objects.count(),
        User.objects.filter(reporting_officer__isnull=False).count(),
        User.objects.filter(groups__name=AUDITORS_GROUP).count(),
        PermissionRequest.objects.count(),
        AuditEvent.objects.count(),
        RoutingRule.objects.count(),
    )


def test_seed_demo_is_idempotent(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == first
    organisations, people, with_officer, auditors, *_ = first
    assert organisations >= 8
    assert 30 <= people <= 40
    assert with_officer >= 25
    assert auditors == 1
    assert "servant" in out.getvalue() and "portal-demo-2026" in out.getvalue()


def test_seeded_people_form_a_valid_believable_tree(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    servants = User.objects.exclude(bps=None)
    grades = set(servants.values_list("bps", flat=True))
    assert {17, 18, 19, 20, 21, 22} <= grades
    assert User.objects.filter(countersigning_officer__isnull=False).count() >= 15
    for person in User.objects.all():
        person.full_clean()
    assert Organisation.objects.filter(parent=None, kind="ministry").count() >= 3
    assert User.objects.get(username="admin").is_superuser


def test_seed_demo_refuses_with_debug_off(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == 0


def test_demo_requests_cover_every_state_with_a_real_history(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    statuses = set(PermissionRequest.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    pending_steps = set(
        PermissionRequest.objects.filter(status=Status.PENDING).values_list(
            "current_step", flat=True
        )
    )
    assert {1, 2} <= pending_steps
    assert ApprovalStep.objects.filter(status="pending", group__isnull=False).exists()
    for request in PermissionRequest.objects.exclude(status=Status.DRAFT):
        actions = list(request.audit_events.values_list("action", flat=True))
        assert actions[0] == "submit", request.reference
        assert request.audit_events.count() >= 1
    expired = PermissionRequest.objects.get(status=Status.EXPIRED)
    assert list(expired.audit_events.values_list("action", flat=True)) == [
        "submit",
        "approve",
        "expire",
    ]
