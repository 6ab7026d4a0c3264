"""A fresh install routes requests beyond the reporting officer without demo data: the
rules migration 0018 writes, editable in the admin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from permissions import workflow
from permissions.models import RoutingRule, User
from tests.factories import draft_request, platform
from tests.helpers import ROOT

pytestmark = pytest.mark.django_db


def chain(request_pk: int) -> list[str]:
    from permissions.models import PermissionRequest

    request = PermissionRequest.objects.get(pk=request_pk)
    return [
        step.assignee.username if step.assignee else step.group.name  # type: ignore[union-attr]
        for step in request.current_round_steps
    ]


@pytest.mark.parametrize(
    ("category", "official_information", "expected"),
    [
        ("television", False, ["reporting", "countersigning"]),
        ("radio", False, ["reporting", "countersigning"]),
        (
            "press_conference",
            False,
            ["reporting", "countersigning", "Establishment Division media cell"],
        ),
        ("print", True, ["reporting", "countersigning"]),
        ("print", False, ["reporting"]),
        ("social_media", False, ["reporting"]),
    ],
)
def test_the_default_rules_route_as_the_conduct_rules_ask(
    default_routing: list[RoutingRule],
    servant: User,
    category: str,
    official_information: bool,
    expected: list[str],
) -> None:
    draft = draft_request(
        servant,
        platform=platform(category),
        official_information=official_information,
        official_information_justification="Figures already published."
        if official_information
        else "",
        account_type="personal" if category == "social_media" else "",
    )

    workflow.submit(draft.pk, by=servant, declaration=True)

    assert chain(draft.pk) == expected


def test_the_default_rules_are_ordinary_rules_an_administrator_can_turn_off(
    default_routing: list[RoutingRule], servant: User
) -> None:
    assert [rule.priority for rule in default_routing] == [10, 20, 30]
    for rule in default_routing:
        if "television" in rule.platform_categories:
            rule.is_active = False
            rule.save(update_fields=["is_active"])
    draft = draft_request(servant, platform=platform("television"))

    workflow.submit(draft.pk, by=servant, declaration=True)

    assert chain(draft.pk) == ["reporting"]


# Run in a fresh process on a fresh SQLite file: `migrate`, then people made as an
# administrator would make them, then a television request submitted.
FRESH_INSTALL_SCRIPT = """
from permissions import workflow
from permissions.models import Organisation, PermissionRequest, Platform, User
from permissions.services import request_create
from permissions.models import RoutingRule

division = Organisation.objects.create(name="Information Division")
def person(username, **extra):
    return User.objects.create_user(username=username, password="x" * 16, organisation=division,
                                    designation="Officer", bps=18, **extra)
countersigning = person("cso")
reporting = person("ro", reporting_officer=countersigning)
servant = person("new.servant", reporting_officer=reporting, countersigning_officer=countersigning)
data = {
    "platform": Platform.objects.get(name="PTV (state television)"),
    "participation": "interview", "outlet": "PTV News", "topic": "Flood relief",
    "summary": "Where the relief camps are.", "capacity": "official", "timing": "one_off",
}
import datetime
from django.utils import timezone
data["event_at"] = timezone.now() + datetime.timedelta(days=3)
draft = request_create(applicant=servant, data=data)
workflow.submit(draft.pk, by=servant, declaration=True)
request = PermissionRequest.objects.get(pk=draft.pk)
print("rules", RoutingRule.objects.count())
print("users", User.objects.count())
print("chain", ",".join(step.assignee.username for step in request.current_round_steps))
"""


def test_a_fresh_install_routes_a_television_request_to_both_officers(tmp_path: Path) -> None:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL"}
    }
    environment.update(DATA_DIR=str(tmp_path), CELERY_TASK_ALWAYS_EAGER="true")

    def manage(*arguments: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    manage("migrate", "--noinput", "-v0")
    printed = manage("shell", "-c", FRESH_INSTALL_SCRIPT)

    assert "rules 3" in printed
    assert "users 3" in printed  # nobody but the three made above: no demo data
    assert "chain ro,cso" in printed
