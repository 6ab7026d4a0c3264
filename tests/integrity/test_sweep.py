"""The nightly sweep of the present against the audit chain: every kind of request the
workflow makes sweeps clean, and each change someone with the database's rights could
make behind the portal's back (a status, a validity date, the conditions, the topic, a
file's bytes) is named by the request's reference with what differs. Runs on SQLite and,
with DATABASE_URL, on PostgreSQL; the last test needs PostgreSQL itself."""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import cast

import pytest
import time_machine
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from permissions import audit, integrity, schedules, services, workflow
from permissions.integrity import Mismatch, What
from permissions.models import (
    ApprovalStep,
    Attachment,
    AuditEvent,
    ConductRule,
    Delegation,
    Notification,
    PermissionRequest,
    RoutingRule,
    User,
)
from permissions.states import Action, Status
from permissions.workflow import Approval
from tests.factories import UserFactory, draft_request, submitted_request
from tests.helpers import MEDIA_CELL, approved_until, days, fresh, today

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

Requests = dict[str, PermissionRequest]


def attach(request: PermissionRequest, by: User, name: str = "talk.pdf") -> Attachment:
    return services.attachment_add(
        request=request,
        by=by,
        upload=SimpleUploadedFile(name, PDF + name.encode(), "application/pdf"),
    )


def filed(applicant: User, *, files: int = 1, **overrides: object) -> PermissionRequest:
    """A request submitted through the workflow with `files` files attached to its draft."""
    draft = draft_request(applicant, **overrides)
    for n in range(files):
        attach(draft, applicant, f"file-{draft.pk}-{n}.pdf")
    return workflow.submit(draft.pk, by=applicant, declaration=True)


def later(moment: datetime.datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def every_kind(
    servant: User, reporting_officer: User, countersigning_officer: User, auditor: User
) -> Requests:
    """One request in each state and by each path the workflow has, all with files. The
    ones a scheduled job moves come first: the jobs act on every request that is due."""
    rule_22 = ConductRule.objects.get(number="22")
    made: Requests = {}

    made["escalated"] = filed(servant)
    with later(timezone.now() + days(settings.ESCALATE_AFTER_DAYS + 1)):
        assert schedules.escalate_overdue()["done"] == 1
    made["returned after escalation"] = filed(servant)
    with later(timezone.now() + days(settings.ESCALATE_AFTER_DAYS + 1)):
        schedules.escalate_overdue()
        workflow.return_for_clarification(
            made["returned after escalation"].pk, by=countersigning_officer, reason="Which day?"
        )
    made["approved after escalation"] = filed(servant)
    with later(timezone.now() + days(settings.ESCALATE_AFTER_DAYS + 1)):
        schedules.escalate_overdue()
        workflow.approve(made["approved after escalation"].pk, by=countersigning_officer)

    made["expired by the job"] = approved_until(servant, reporting_officer, today())
    attach(draft := draft_request(servant), servant)
    with later(timezone.now() + days(2)):
        assert schedules.expire_approvals()["done"] == 1
    made["draft"] = draft

    made["pending at step 1"] = filed(servant, files=2)
    made["approved"] = filed(servant)
    workflow.approve(
        made["approved"].pk,
        by=reporting_officer,
        approval=Approval(
            valid_from=today(),
            valid_until=today() + days(30),
            conditions=["personal_views", "no_designation"],
            conditions_text="Say nothing of the budget.",
            comment="Approved.",
        ),
    )
    made["rejected"] = filed(servant)
    workflow.reject(
        made["rejected"].pk, by=reporting_officer, reason="It would breach Rule 22.", rule=rule_22
    )
    made["revoked"] = approved_until(servant, reporting_officer, today() + days(10))
    workflow.revoke(made["revoked"].pk, by=reporting_officer, reason="Advertised with the logo.")
    made["withdrawn while pending"] = filed(servant)
    workflow.withdraw(made["withdrawn while pending"].pk, by=servant, reason="Postponed.")
    made["withdrawn after return"] = filed(servant)
    workflow.return_for_clarification(
        made["withdrawn after return"].pk, by=reporting_officer, reason="Which outlet?"
    )
    workflow.withdraw(made["withdrawn after return"].pk, by=servant)
    made["withdrawn as a draft"] = draft_request(servant)
    attach(made["withdrawn as a draft"], servant)
    workflow.withdraw(made["withdrawn as a draft"].pk, by=servant)

    # Returned, amended (a field, a file added, a file removed) and resubmitted, then
    # approved; and one left returned after its amendments.
    for name in ("returned and resubmitted", "returned and amended"):
        request = filed(servant, files=2)
        workflow.return_for_clarification(request.pk, by=reporting_officer, reason="Say more.")
        services.request_update(
            request=fresh(request),
            by=servant,
            data={"topic": f"A clearer topic ({name})", "honorarium": True,
                  "honorarium_amount": Decimal("25000.50")},
            origin=audit.SYSTEM,
        )  # fmt: skip
        attach(fresh(request), servant, f"answer-{request.pk}.pdf")
        services.attachment_remove(attachment=request.attachments.order_by("pk")[0], by=servant)
        made[name] = fresh(request)
    workflow.resubmit(made["returned and resubmitted"].pk, by=servant, declaration=True)
    workflow.approve(made["returned and resubmitted"].pk, by=reporting_officer)

    # Two steps: television also needs the countersigning officer.
    RoutingRule.objects.create(
        name="Television appearances",
        target=RoutingRule.Target.COUNTERSIGNING_OFFICER,
        platform_categories=["television"],
    )
    made["pending at step 2"] = filed(servant)
    workflow.approve(
        made["pending at step 2"].pk,
        by=reporting_officer,
        approval=Approval(conditions=["report_afterwards"], conditions_text="Report back."),
    )
    # Its period starts today, so that it has started and can be renewed below.
    made["approved at step 2"] = filed(
        servant, timing="period", event_at=None,
        period_start=today(), period_end=today() + days(40),
    )  # fmt: skip
    workflow.approve(made["approved at step 2"].pk, by=reporting_officer)
    workflow.approve(
        made["approved at step 2"].pk,
        by=countersigning_officer,
        approval=Approval(conditions=["personal_views"], conditions_text="No slides."),
    )
    made["rejected at step 2"] = filed(servant)
    workflow.approve(made["rejected at step 2"].pk, by=reporting_officer)
    workflow.reject(
        made["rejected at step 2"].pk, by=countersigning_officer, reason="No.", rule=rule_22
    )
    RoutingRule.objects.all().delete()

    # A step held by a group: any member of the media cell decides it.
    media_cell = Group.objects.get(name=MEDIA_CELL)
    member = cast(User, UserFactory(username="cell-officer", designation="Director (Media)"))
    member.groups.add(media_cell)
    RoutingRule.objects.create(
        name="Media cell clearance",
        target=RoutingRule.Target.GROUP,
        group=media_cell,
        platform_categories=["television"],
    )
    made["approved by the media cell"] = filed(servant)
    workflow.approve(made["approved by the media cell"].pk, by=reporting_officer)
    workflow.approve(made["approved by the media cell"].pk, by=member)
    RoutingRule.objects.all().delete()

    # A delegate acting for the reporting officer, who is on leave.
    delegate = cast(
        User, UserFactory(username="delegate", designation="Deputy Secretary (acting)", bps=19)
    )
    Delegation.objects.create(
        delegator=reporting_officer,
        delegate=delegate,
        starts_on=today() - days(1),
        ends_on=today() + days(14),
        reason="Earned leave",
    )
    made["approved by a delegate"] = filed(servant)
    workflow.approve(made["approved by a delegate"].pk, by=delegate)
    made["returned by a delegate"] = filed(servant)
    workflow.return_for_clarification(
        made["returned by a delegate"].pk, by=delegate, reason="Which channel?"
    )

    made["renewal draft"] = services.renewal_start(approval=fresh(made["approved"]), by=servant)
    attach(made["renewal draft"], servant)
    made["renewal submitted"] = services.renewal_start(
        approval=fresh(made["approved at step 2"]), by=servant
    )
    services.request_update(
        request=made["renewal submitted"],
        by=servant,
        data={"period_start": today() + days(50), "period_end": today() + days(80)},
        origin=audit.SYSTEM,
    )
    workflow.submit(made["renewal submitted"].pk, by=servant, declaration=True)
    return {name: fresh(request) for name, request in made.items()}


def test_the_kinds_made_are_the_states_they_are_named_for(every_kind: Requests) -> None:
    """So that the clean sweep below covers what it claims to."""
    statuses = {name: request.status for name, request in every_kind.items()}
    assert statuses == {
        "escalated": Status.PENDING,
        "returned after escalation": Status.RETURNED,
        "approved after escalation": Status.APPROVED,
        "expired by the job": Status.EXPIRED,
        "draft": Status.DRAFT,
        "pending at step 1": Status.PENDING,
        "approved": Status.APPROVED,
        "rejected": Status.REJECTED,
        "revoked": Status.REVOKED,
        "withdrawn while pending": Status.WITHDRAWN,
        "withdrawn after return": Status.WITHDRAWN,
        "withdrawn as a draft": Status.WITHDRAWN,
        "returned and resubmitted": Status.APPROVED,
        "returned and amended": Status.RETURNED,
        "pending at step 2": Status.PENDING,
        "approved at step 2": Status.APPROVED,
        "rejected at step 2": Status.REJECTED,
        "approved by the media cell": Status.APPROVED,
        "approved by a delegate": Status.APPROVED,
        "returned by a delegate": Status.RETURNED,
        "renewal draft": Status.DRAFT,
        "renewal submitted": Status.PENDING,
    }
    assert every_kind["pending at step 2"].current_step == 2
    assert AuditEvent.objects.filter(
        request=every_kind["escalated"], action=Action.ESCALATE
    ).exists()
    assert AuditEvent.objects.filter(request=every_kind["returned and amended"], action="amend")
    assert every_kind["approved by a delegate"].steps.get().acted_for_id is not None
    assert every_kind["renewal draft"].renews_id == every_kind["approved"].pk


def test_every_kind_of_request_sweeps_clean(every_kind: Requests, auditor: User) -> None:
    """The property that matters most: an untouched database reports nothing, and so
    raises nothing to the auditors."""
    swept = integrity.sweep()

    assert [str(mismatch) for mismatch in swept.mismatches] == []
    assert swept.ok
    assert swept.requests_checked == PermissionRequest.objects.count() == len(every_kind)
    assert swept.files_checked == Attachment.objects.count()
    assert swept.files_checked >= len(every_kind) - 1
    assert not AuditEvent.objects.filter(
        action__in=[Action.INTEGRITY_MISMATCH, Action.FILE_MISMATCH]
    ).exists()
    assert not Notification.objects.filter(recipient=auditor).exists()


def test_the_demo_data_sweeps_clean(settings) -> None:  # type: ignore[no-untyped-def]
    """A fresh portal's demo requests were taken through the workflow on the days it
    would have happened: the check must not greet a new installation with alerts."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    assert PermissionRequest.objects.exclude(status=Status.DRAFT).count() >= 10

    swept = integrity.sweep()

    assert [str(mismatch) for mismatch in swept.mismatches] == []
    assert swept.requests_checked == PermissionRequest.objects.count()


def test_every_kind_of_request_checks_clean_one_by_one(every_kind: Requests) -> None:
    """What a letter and the public check ask of one request agrees with the sweep."""
    found = {name: integrity.mismatches_of(request) for name, request in every_kind.items()}
    assert {
        name: [str(m) for m in mismatches] for name, mismatches in found.items() if mismatches
    } == {}


# --- tampering ---------------------------------------------------------------------------


@contextmanager
def as_a_superuser() -> Iterator[None]:
    """Write as someone with the database's own rights: on PostgreSQL with every trigger
    switched off for the session (superusers only), as the acceptance asks; SQLite has
    no triggers on these tables to switch off."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


def rows(request: PermissionRequest) -> QuerySet[PermissionRequest]:
    return PermissionRequest.objects.filter(pk=request.pk)


def rejected_to_approved(made: Requests) -> PermissionRequest:
    request = made["rejected"]
    rows(request).update(status=Status.APPROVED, valid_from=today(), valid_until=today() + days(30))
    return request


def only_the_status(made: Requests) -> PermissionRequest:
    request = made["rejected"]
    rows(request).update(status=Status.APPROVED)
    return request


def ten_more_years(made: Requests) -> PermissionRequest:
    request = made["approved"]
    assert request.valid_until is not None
    rows(request).update(valid_until=request.valid_until + days(3653))
    return request


def conditions_dropped(made: Requests) -> PermissionRequest:
    request = made["approved"]
    rows(request).update(conditions=["personal_views"])
    return request


def conditions_text_changed(made: Requests) -> PermissionRequest:
    request = made["approved at step 2"]
    rows(request).update(conditions_text="")
    return request


def deciding_officer_changed(made: Requests) -> PermissionRequest:
    request = made["approved by a delegate"]
    ApprovalStep.objects.filter(request=request).update(acted_for=None)
    return request


def topic_changed(made: Requests) -> PermissionRequest:
    request = made["approved"]
    rows(request).update(topic="Criticism of government policy")
    return request


def topic_of_a_pending_one_changed(made: Requests) -> PermissionRequest:
    request = made["pending at step 2"]
    rows(request).update(topic="Something else entirely")
    return request


def file_overwritten(made: Requests) -> PermissionRequest:
    request = made["approved"]
    attachment = request.attachments.get()
    Path(attachment.file.path).write_bytes(PDF + b"% a page someone added\n")
    return request


def file_of_a_pending_one_removed(made: Requests) -> PermissionRequest:
    request = made["pending at step 1"]
    Path(request.attachments.order_by("pk")[1].file.path).unlink()
    return request


Tamper = Callable[[Requests], PermissionRequest]


@pytest.mark.parametrize(
    ("tamper", "what", "detail"),
    [
        (rejected_to_approved, What.DECISION, "its status, validity, conditions"),
        (only_the_status, What.DECISION, "its status, validity, conditions"),
        (ten_more_years, What.DECISION, "its status, validity, conditions"),
        (conditions_dropped, What.DECISION, "its status, validity, conditions"),
        (conditions_text_changed, What.DECISION, "its status, validity, conditions"),
        (deciding_officer_changed, What.DECISION, "or deciding officer differ"),
        (topic_changed, What.CONTENT, "what it says (topic, outlet"),
        (topic_of_a_pending_one_changed, What.CONTENT, "what it says (topic, outlet"),
        (file_overwritten, What.FILE, "has SHA-256"),
        (file_of_a_pending_one_removed, What.FILE, "is missing from storage"),
    ],
    ids=lambda value: value.__name__ if callable(value) else None,
)
def test_each_change_is_reported_by_reference_with_what_differs(
    every_kind: Requests, auditor: User, tamper: Tamper, what: What, detail: str
) -> None:
    with as_a_superuser():
        changed = tamper(every_kind)

    swept = integrity.sweep()

    assert [(m.reference, m.what) for m in swept.mismatches] == [(changed.reference, what)]
    [mismatch] = swept.mismatches
    assert mismatch.request_id == changed.pk
    assert detail in mismatch.detail
    if what != What.FILE:
        newest = AuditEvent.objects.filter(request=changed, data__has_key=what).latest("pk")
        assert f"audit event #{newest.pk}" in mismatch.detail
    # The chain itself still holds: it is the record that no longer matches it.
    assert audit.verify().ok
    # Raised to the auditors, once, however many nights the sweep finds it again.
    alert = AuditEvent.objects.get(
        action__in=[Action.INTEGRITY_MISMATCH, Action.FILE_MISMATCH], request=changed
    )
    assert alert.data["noticed_by"] == "sweep"
    assert alert.data["mismatches"] == [mismatch.as_dict()]
    assert Notification.objects.filter(recipient=auditor, request=changed).count() == 1
    assert integrity.sweep().mismatches == swept.mismatches
    assert AuditEvent.objects.filter(action=alert.action).count() == 1


def test_a_request_changed_in_several_ways_is_reported_for_each(every_kind: Requests) -> None:
    request = every_kind["approved"]
    with as_a_superuser():
        ten_more_years(every_kind)
        topic_changed(every_kind)
        file_overwritten(every_kind)

    swept = integrity.sweep(alert=False)

    assert [(m.reference, m.what) for m in swept.mismatches] == [
        (request.reference, What.DECISION),
        (request.reference, What.CONTENT),
        (request.reference, What.FILE),
    ]
    assert not AuditEvent.objects.filter(action=Action.INTEGRITY_MISMATCH).exists()


def test_batches_cover_every_request_once(every_kind: Requests) -> None:
    with as_a_superuser():
        changed = [rejected_to_approved(every_kind), file_of_a_pending_one_removed(every_kind)]

    swept = integrity.sweep(batch_size=2, alert=False)

    assert swept.requests_checked == len(every_kind)
    assert swept.files_checked == Attachment.objects.count()
    assert sorted(m.reference for m in swept.mismatches) == sorted(r.reference for r in changed)


def test_a_request_decided_before_decisions_were_digested_is_taken_on_once_by_the_upgrade(
    servant: User, reporting_officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installation upgraded to this version: its requests were decided through the
    workflow, whose events then recorded the content digest but no decision digest.
    Until migration 0014 puts their decisions on the chain they cannot be confirmed;
    after it they sweep clean, and a change after it shows."""
    record = audit.record

    def record_as_before(action: Action, **fields: object) -> AuditEvent:
        data = dict(fields.pop("data", None) or {})  # type: ignore[call-overload]
        data.pop("decision", None)
        return record(action, data=data, **fields)  # type: ignore[arg-type]

    monkeypatch.setattr(workflow.audit, "record", record_as_before)
    request = approved_until(servant, reporting_officer, today() + days(30))
    earlier_draft = draft_request(servant)
    monkeypatch.undo()
    assert not AuditEvent.objects.filter(data__has_key="decision").exists()
    assert AuditEvent.objects.filter(request=request, data__has_key="content").exists()
    [before] = integrity.sweep(alert=False).mismatches
    assert before.reference == request.reference

    migration = importlib.import_module("permissions.migrations.0014_decision_baselines")
    migration.record_baselines(django_apps, None)

    [baseline] = AuditEvent.objects.filter(action=Action.INTEGRITY_BASELINE)
    assert baseline.request_id == request.pk
    assert baseline.actor is None and "as it stood" in baseline.comment
    assert earlier_draft.pk != baseline.request_id  # a draft was never decided
    assert integrity.sweep(alert=False).mismatches == []
    assert integrity.record_baselines() == 0  # once only
    assert audit.verify().ok

    PermissionRequest.objects.filter(pk=request.pk).update(valid_until=today() + days(3650))
    [after] = integrity.sweep(alert=False).mismatches
    assert (after.reference, after.what) == (request.reference, What.DECISION)


# --- cost --------------------------------------------------------------------------------


def _file_many(servant: User, officer: User, count: int) -> None:
    for n in range(count):
        if n % 4 == 0:
            attach(draft_request(servant), servant)
        elif n % 4 == 1:
            filed(servant)
        else:
            request = submitted_request(servant)
            workflow.approve(request.pk, by=officer)


def _sweep_queries() -> tuple[int, integrity.Sweep]:
    with CaptureQueriesContext(connection) as captured:
        swept = integrity.sweep(alert=False)
    return len(captured), swept


def test_the_sweep_costs_the_same_queries_for_twice_the_requests(
    servant: User, reporting_officer: User
) -> None:
    _file_many(servant, reporting_officer, 200)
    few, swept = _sweep_queries()
    assert swept.requests_checked == 200 and swept.ok
    _file_many(servant, reporting_officer, 200)
    many, swept = _sweep_queries()
    assert swept.requests_checked == 400 and swept.ok
    print("QUERIES sweep", few, many)
    assert many == few
    # A batch of requests, their files and their decided steps; then the empty batch.
    assert few <= 4


def test_a_mismatch_the_sweep_reports_reads_the_way_the_command_prints_it(
    every_kind: Requests,
) -> None:
    with as_a_superuser():
        request = topic_changed(every_kind)
    [mismatch] = integrity.sweep(alert=False).mismatches
    assert isinstance(mismatch, Mismatch)
    assert str(mismatch) == f"{request.reference}: what the request says: {mismatch.detail}"


# --- PostgreSQL, as the acceptance asks ------------------------------------------------


@pytest.mark.postgres
@pytest.mark.usefixtures("on_postgres")
def test_on_postgresql_with_the_triggers_off_each_change_is_reported(
    every_kind: Requests,
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        (superuser,) = cursor.fetchone()
    assert superuser, "these tamperings need the rights of a PostgreSQL superuser"
    with as_a_superuser():
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone() == ("replica",)
        expected = {
            rejected_to_approved(every_kind).reference: [What.DECISION],
            ten_more_years(every_kind).reference: [What.DECISION],
            conditions_text_changed(every_kind).reference: [What.DECISION],
            topic_of_a_pending_one_changed(every_kind).reference: [What.CONTENT],
            file_of_a_pending_one_removed(every_kind).reference: [What.FILE],
        }
        rows(every_kind["approved by a delegate"]).update(conditions=["personal_views"])
        expected[every_kind["approved by a delegate"].reference] = [What.DECISION]
        overwritten = every_kind["returned by a delegate"].attachments.get()
        Path(overwritten.file.path).write_bytes(b"%PDF-1.4\n% not what was submitted\n")
        expected[every_kind["returned by a delegate"].reference] = [What.FILE]

    swept = integrity.sweep()

    found: dict[str, list[str]] = {}
    for mismatch in swept.mismatches:
        found.setdefault(mismatch.reference, []).append(mismatch.what)
    assert found == expected
    assert swept.requests_checked == len(every_kind)
    assert audit.verify().ok
