from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from permissions.models import AUDITORS_GROUP, Organisation, User

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        Organisation.objects.count(),
        User.objects.count(),
        User.objects.filter(reporting_officer__isnull=False).count(),
        User.objects.filter(groups__name=AUDITORS_GROUP).count(),
    )


def test_seed_demo_is_idempotent(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == first
    organisations, people, with_officer, auditors = first
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
