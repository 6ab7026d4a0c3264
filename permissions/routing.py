"""Who decides a request: the reporting officer first, then whatever the routing rules add."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.utils.translation import gettext as _

from .models import PermissionRequest, RoutingRule, User


class RoutingError(Exception):
    """The request cannot be routed; the message tells the applicant what to do."""


@dataclass(frozen=True)
class PlannedStep:
    order: int
    reason: str
    assignee: User | None = None
    group: Group | None = None


def rule_matches(rule: RoutingRule, request: PermissionRequest, applicant: User) -> bool:
    if rule.platform_categories and request.platform.category not in rule.platform_categories:
        return False
    if rule.participations and request.participation not in rule.participations:
        return False
    bps = applicant.bps or 0
    if rule.bps_min is not None and bps < rule.bps_min:
        return False
    if rule.bps_max is not None and bps > rule.bps_max:
        return False
    if rule.official_information == RoutingRule.YesNoAny.YES and not request.official_information:
        return False
    if rule.official_information == RoutingRule.YesNoAny.NO and request.official_information:
        return False
    return not (rule.capacity and request.capacity != rule.capacity)


def plan_steps(request: PermissionRequest) -> list[PlannedStep]:
    """The approval chain for `request` as it stands now.

    Step 1 is always the applicant's reporting officer. Each matching active rule adds
    one step (the countersigning officer or a group), once: a second rule naming the
    same officer or group adds nothing.
    """
    applicant = request.applicant
    officer = applicant.reporting_officer
    if officer is None or not officer.is_active:
        raise RoutingError(
            _(
                "You have no active reporting officer on record, so nobody could decide this "
                "request. Ask your organisation's administrator to record your reporting "
                "officer, then submit again. Your request is kept as a draft."
            )
        )
    steps = [PlannedStep(order=1, reason=_("Reporting officer"), assignee=officer)]
    held_by: set[tuple[str, int]] = {("user", officer.pk)}
    rules = RoutingRule.objects.filter(is_active=True).select_related("group")
    for rule in rules:
        if not rule_matches(rule, request, applicant):
            continue
        if rule.target == RoutingRule.Target.COUNTERSIGNING_OFFICER:
            countersigning = applicant.countersigning_officer
            if countersigning is None or not countersigning.is_active:
                raise RoutingError(
                    _(
                        "This request also needs your countersigning officer (%(rule)s), and "
                        "none is on record. Ask your organisation's administrator to record "
                        "one, then submit again. Your request is kept as a draft."
                    )
                    % {"rule": rule.name}
                )
            key = ("user", countersigning.pk)
            planned = PlannedStep(len(steps) + 1, rule.name, assignee=countersigning)
        else:
            assert rule.group is not None  # noqa: S101 - guaranteed by a check constraint
            key = ("group", rule.group.pk)
            planned = PlannedStep(len(steps) + 1, rule.name, group=rule.group)
        if key in held_by:
            continue
        held_by.add(key)
        steps.append(planned)
    return steps
