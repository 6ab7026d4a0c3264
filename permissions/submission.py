"""What a request needs before it can be submitted, shared by the form and the workflow."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils import timezone, translation
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import ConductRule, Ground, PermissionRequest
from .models.requests import AccountType, PlatformCategory, Timing


@dataclass(frozen=True)
class Declaration:
    """What the applicant declares, built from the rules and grounds in force: the
    Establishment Division amends them in the admin, and the next declaration follows."""

    rules: list[ConductRule]
    grounds: list[Ground]

    @property
    def text(self) -> str:
        numbers = [rule.number for rule in self.rules]
        if numbers:
            rules = ngettext(
                "I have read Rule %(numbers)s of the Government Servants (Conduct) Rules, "
                "1964, and will comply with it.",
                "I have read Rules %(numbers)s of the Government Servants (Conduct) Rules, "
                "1964, and will comply with them.",
                len(numbers),
            ) % {"numbers": get_text_list(numbers, _("and"))}
        else:
            rules = _("I will comply with the Government Servants (Conduct) Rules, 1964.")
        if not self.grounds:
            return rules
        touches = _("Nothing I say or post will touch on: %(grounds)s.") % {
            "grounds": "; ".join(_in_sentence(ground.local("title")) for ground in self.grounds)
        }
        return f"{rules} {touches}"

    def record(self) -> dict[str, Any]:
        """The declared version, as the submission's audit event keeps it: the rules and
        grounds by number and id, and a digest of the words the applicant was shown."""
        return {
            "rules": [rule.number for rule in self.rules],
            "grounds": [ground.pk for ground in self.grounds],
            "language": translation.get_language() or "",
            "text_sha256": hashlib.sha256(self.text.encode()).hexdigest(),
        }


def _in_sentence(title: str) -> str:
    """A ground's title inside a sentence: "National security" reads "national security";
    one that starts with an abbreviation or a name ("UN …", "Pakistan …") is kept."""
    first = title.split(" ", 1)[0]
    if first[1:].islower() and first.lower() not in _PROPER_WORDS:
        return title[:1].lower() + title[1:]
    return title


# Names that keep their capital inside a sentence.
_PROPER_WORDS = frozenset({"pakistan", "pakistan's", "quaid", "islam", "islamic"})


def declaration_in_force() -> Declaration:
    rules = list(ConductRule.objects.filter(is_active=True, in_declaration=True))
    grounds = list(Ground.objects.in_force())
    return Declaration(rules=rules, grounds=grounds)


# --- checks other apps run as a request is submitted ---------------------------------------


@dataclass(frozen=True)
class Panel:
    """What a check shows the officers and auditors about a submission: a template and
    its context, drawn on the decide page, the request's page and the console's record."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


class SubmissionCheck(Protocol):
    """A check run on a request's text as it is submitted (the pre-screening is one). It
    never stops a submission: what `run` returns is recorded under `name` on the
    submission's audit event, and `panel` draws that record for the people deciding."""

    name: str

    def run(self, request: PermissionRequest) -> Any: ...

    def panel(self, request: PermissionRequest, recorded: Any) -> Panel | None: ...


_checks: dict[str, SubmissionCheck] = {}


def register_check(check: SubmissionCheck) -> None:
    """Called from an app's ready(); a second registration under a name replaces the
    first, so a reloaded app does not run its check twice."""
    _checks[check.name] = check


def run_checks(request: PermissionRequest) -> dict[str, Any]:
    """Each registered check's record, for the submission's audit event."""
    return {name: check.run(request) for name, check in _checks.items()}


def check_panels(request: PermissionRequest, recorded: Mapping[str, Any]) -> list[Panel]:
    """The panels drawn from what the checks recorded at the last submission (a check
    registered since then, with nothing recorded, shows nothing)."""
    panels = []
    for name, check in _checks.items():
        if name in recorded:
            panel = check.panel(request, recorded[name])
            if panel is not None:
                panels.append(panel)
    return panels


def declared_rules() -> str:
    """The rules the applicant declares they have read, as the admin lists them today."""
    numbers = ConductRule.objects.filter(is_active=True, in_declaration=True).values_list(
        "number", flat=True
    )
    return ", ".join(numbers)


def submission_errors(request: PermissionRequest) -> dict[str, list[str]]:
    """Field name -> messages for everything missing or inconsistent. Empty when complete."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not request.topic.strip():
        add("topic", _("Give the topic."))
    if not request.summary.strip():
        add("summary", _("Summarise what you will say or post."))
    if not request.outlet.strip():
        add("outlet", _("Name the channel, programme, newspaper, page or handle."))
    if not request.capacity:
        add("capacity", _("Say whether you will take part in a personal or an official capacity."))
    platform = request.platform if request.platform_id else None
    if platform is not None and not platform.is_active:
        add("platform", _("This platform is no longer offered. Choose another."))
    if (
        platform is not None
        and platform.category == PlatformCategory.SOCIAL_MEDIA
        and request.account_type == AccountType.NOT_APPLICABLE
    ):
        add("account_type", _("Say whether you will post from a personal or an official account."))

    now = timezone.now()
    if request.timing == Timing.ONE_OFF:
        if request.event_at is None:
            add("event_at", _("Give the date and time."))
        elif request.event_at < now:
            add("event_at", _("Permission must be sought beforehand: this date has passed."))
    else:
        if request.period_start is None:
            add("period_start", _("Give the first day of the period."))
        if request.period_end is None:
            add("period_end", _("Give the last day of the period."))
        if request.period_start and request.period_end:
            if request.period_end < request.period_start:
                add("period_end", _("The period cannot end before it starts."))
            elif request.period_end < timezone.localdate():
                add("period_end", _("This period has already ended."))

    # Rule 18: official information may go out only with a reason the officer can weigh.
    if request.official_information and not request.official_information_justification.strip():
        add(
            "official_information_justification",
            _("Explain why official information or documents are involved (Rule 18)."),
        )
    if request.honorarium and not (request.honorarium_amount and request.honorarium_amount > 0):
        add("honorarium_amount", _("Give the amount of the honorarium in rupees."))
    return errors
