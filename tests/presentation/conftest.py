"""A portal with something of everything in it, and the check that what people read
holds words, not the codes stored behind them.

`world` files requests in every state (a draft renewing an expired approval, one
escalated, one returned and amended, one rejected, one withdrawn, one revoked, one
expired, one approved through two steps by a delegate with every standard condition,
one waiting at its second step under conditions set at the first), gives and ends
delegations, signs people in and out, refuses one, exports, and records each remaining
kind of audit event, so that every label the portal has a chance to show appears."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import models
from django.test import Client, override_settings
from django.utils import timezone

from permissions import audit, integrity, schedules, services, workflow
from permissions.models import AuditEvent, ConductRule, PermissionRequest, User
from permissions.models.notifications import DeliveryStatus, NotificationKind
from permissions.models.requests import (
    AccountType,
    Capacity,
    Participation,
    PlatformCategory,
    StandardCondition,
    Timing,
)
from permissions.register import reminders as register_reminders
from permissions.states import Action, Status, StepStatus
from permissions.twofactor import devices as twofactor_devices
from permissions.workflow import Approval
from tests.factories import UserFactory, draft_request, make_auditor, platform
from tests.helpers import celery_configured, sign_in
from tests.workflow.conftest import grant_revoke_right

KARACHI = ZoneInfo("Asia/Karachi")

VOCABULARIES: list[type[models.TextChoices]] = [
    Status,
    StepStatus,
    Action,
    StandardCondition,
    PlatformCategory,
    Participation,
    Capacity,
    AccountType,
    Timing,
    NotificationKind,
    DeliveryStatus,
]
# Every stored code whose label reads otherwise: seen by a person, it is a leak.
CODES: frozenset[str] = frozenset(
    str(code)
    for vocabulary in VOCABULARIES
    for code, label in vocabulary.choices
    if code and str(code) != str(label)
)
# Codes with a dot or an underscore are never words of a sentence: found anywhere.
COMPOUND = re.compile(r"[a-z]+(?:[._][a-z]+)+")
# A plain code ("pending", "approve") is a word of many sentences ("is approved"): it is
# a leak where it stands alone: as a cell, a badge, a line, or one side of "from → to",
# of an en or em dash, or of a middle dot.
SEPARATORS = re.compile("\u2192|\u00b7|\u2014|\u2013|\n")
PUNCTUATION = " ()[].,;:"


class _Text(HTMLParser):
    """The text a person reads in a page: every text node outside scripts and styles.
    Attribute values (classes, option values, links) are not read, so not collected."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.pieces.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser.pieces


def codes_in(pieces: Iterable[str]) -> set[str]:
    """The codes shown in these pieces of text (text nodes, export cells, mail lines)."""
    found: set[str] = set()
    for piece in pieces:
        found |= {token for token in COMPOUND.findall(piece) if token in CODES}
        found |= {
            part.strip(PUNCTUATION)
            for part in SEPARATORS.split(piece)
            if part.strip(PUNCTUATION) in CODES
        }
    return found


def codes_on_page(html: str) -> set[str]:
    return codes_in(visible_text(html))


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=KARACHI)


def signed_in(user: User) -> Client:
    return sign_in(Client(), user)


@dataclass
class World:
    servant: User
    reporting_officer: User
    countersigning_officer: User
    delegate: User
    auditor: User
    nameless: User
    requests: dict[str, PermissionRequest]

    def fresh(self, name: str) -> PermissionRequest:
        return PermissionRequest.objects.get(pk=self.requests[name].pk)


@pytest.fixture
def world(
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
    outsider: User,
    television_countersigning: Any,
) -> World:
    delegate = UserFactory(username="acting-officer", designation="Deputy Secretary (acting)")
    standby = UserFactory(username="standby-officer", designation="Deputy Secretary")
    auditor = grant_revoke_right(make_auditor(UserFactory(username="auditor")))
    # Someone whose administrator recorded no name: pages name them by user name.
    nameless = UserFactory(
        username="clerk-without-name",
        first_name="",
        last_name="",
        reporting_officer=reporting_officer,
    )
    rule_22 = ConductRule.objects.get(number="22")
    radio = {"platform": platform("radio"), "participation": Participation.TALK_SHOW}
    start = timezone.localdate() - datetime.timedelta(days=30)
    requests: dict[str, PermissionRequest] = {}

    def submitted(name: str, **data: Any) -> PermissionRequest:
        draft = draft_request(servant, topic=f"The {name} request", **data)
        requests[name] = workflow.submit(draft.pk, by=servant, declaration=True)
        return requests[name]

    with time_machine.travel(at(start), tick=False):
        services.delegation_create(
            by=reporting_officer,
            to=standby,
            starts=start,
            ends=start + datetime.timedelta(days=3),
            reason="Tour",
            origin=audit.SYSTEM,
        )
        ended = reporting_officer.delegations_given.get()  # type: ignore[attr-defined]
        services.delegation_end(delegation=ended, by=reporting_officer, origin=audit.SYSTEM)

        submitted("escalated", **radio)
        returned = submitted("returned", **radio)
        workflow.return_for_clarification(
            returned.pk, by=reporting_officer, reason="Say which programme."
        )
        audit.record(
            Action.AMEND,
            actor=servant,
            request=returned,
            from_status=Status.RETURNED,
            to_status=Status.RETURNED,
        )
        rejected = submitted("rejected", **radio)
        workflow.reject(rejected.pk, by=reporting_officer, reason="Embarrassing.", rule=rule_22)
        withdrawn = submitted("withdrawn", **radio)
        workflow.withdraw(withdrawn.pk, by=servant, reason="The show was cancelled.")
        revoked = submitted("revoked", **radio)
        workflow.approve(revoked.pk, by=reporting_officer)
        workflow.revoke(revoked.pk, by=auditor, reason="Spoke of a matter before the court.")
        expired = submitted("expired", **radio)
        workflow.approve(
            expired.pk,
            by=reporting_officer,
            approval=Approval(
                valid_from=start,
                valid_until=start + datetime.timedelta(days=2),
                conditions=[StandardCondition.REPORT_AFTERWARDS],
            ),
        )
    with time_machine.travel(at(start + datetime.timedelta(days=1)), tick=False):
        schedules.expiry_reminders()
    with time_machine.travel(at(start + datetime.timedelta(days=3)), tick=False):
        workflow.expire(expired.pk)
    later = start + datetime.timedelta(days=settings.ESCALATE_AFTER_DAYS + 1)
    with time_machine.travel(at(later), tick=False):
        schedules.pending_reminders()
        workflow.escalate(requests["escalated"].pk)

    requests["draft"] = services.renewal_start(
        approval=PermissionRequest.objects.get(pk=expired.pk), by=servant
    )
    services.request_update(
        request=requests["draft"],
        by=servant,
        data={
            "platform": platform("social_media"),
            "participation": Participation.POST,
            "capacity": Capacity.PERSONAL,
            "account_type": AccountType.PERSONAL,
            "administers_group": True,
            "timing": Timing.PERIOD,
            "period_start": timezone.localdate() + datetime.timedelta(days=3),
            "period_end": timezone.localdate() + datetime.timedelta(days=40),
        },
        origin=audit.SYSTEM,
    )
    services.delegation_create(
        by=reporting_officer,
        to=delegate,
        starts=timezone.localdate(),
        ends=timezone.localdate() + datetime.timedelta(days=14),
        reason="Earned leave",
        origin=audit.SYSTEM,
    )
    every_condition = list(StandardCondition.values)
    approved = submitted("approved")  # television: two steps
    workflow.approve(approved.pk, by=delegate, approval=Approval(conditions=every_condition[:2]))
    workflow.approve(
        approved.pk,
        by=countersigning_officer,
        approval=Approval(
            conditions=every_condition[2:], conditions_text="Send the recording to the cell."
        ),
    )
    second_step = submitted("second_step")
    workflow.approve(
        second_step.pk,
        by=reporting_officer,
        approval=Approval(
            conditions=[StandardCondition.PERSONAL_VIEWS], conditions_text="No uniform."
        ),
    )
    nameless_draft = draft_request(nameless, topic="A clerk's radio talk", **radio)
    requests["nameless"] = workflow.submit(nameless_draft.pk, by=nameless, declaration=True)

    # Signing in and out, a wrong password, a refused look at someone else's request,
    # an export: each through the pages, as people do them.
    signed_in(servant).post("/logout/")
    Client().post("/login/", {"username": servant.username, "password": "wrong password"})
    assert signed_in(outsider).get(f"/requests/{approved.pk}/").status_code == 404
    assert signed_in(auditor).get("/audit/requests/export.csv").status_code == 200
    # An export written by a job (here, in this process), which tells the auditor it is ready.
    with celery_configured(task_always_eager=True, task_eager_propagates=True):
        started = signed_in(auditor).post(
            "/audit/exports/new/", {"what": "audit_log", "format": "xlsx", "filters": ""}
        )
    assert started.status_code == 302
    # A lost phone: the administrator resets the auditor's second factor.
    twofactor_devices.reset(auditor, by=standby, reason="Phone lost on tour; confirmed in person.")
    # A record changed behind the portal's back, found by the nightly check (the one
    # mismatch: every other request sweeps clean); the day's head mailed off the machine.
    PermissionRequest.objects.filter(pk=withdrawn.pk).update(
        conditions_text="Added in the database."
    )
    swept = integrity.sweep()
    assert [m.reference for m in swept.mismatches] == [withdrawn.reference]
    with override_settings(AUDIT_HEAD_RECIPIENTS=["records@establishment.example"]):
        audit.record_head()
    # The clerk, on the portal for more than a year, never confirmed their register.
    User.objects.filter(pk=nameless.pk).update(
        date_joined=timezone.now() - datetime.timedelta(days=400)
    )
    assert register_reminders.remind_due() == 1
    # What the admin and the verification record, written directly.
    recorded = set(AuditEvent.objects.values_list("action", flat=True))
    for action in Action:
        if action not in recorded:
            audit.record(action, actor=auditor, comment="")
    audit.run_verification(by=auditor)
    assert set(AuditEvent.objects.values_list("action", flat=True)) == set(Action.values)

    for name, request in requests.items():
        requests[name] = PermissionRequest.objects.get(pk=request.pk)
    return World(
        servant=servant,
        reporting_officer=reporting_officer,
        countersigning_officer=countersigning_officer,
        delegate=delegate,
        auditor=auditor,
        nameless=nameless,
        requests=requests,
    )
