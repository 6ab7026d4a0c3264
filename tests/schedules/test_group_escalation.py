"""A group's step waiting past ESCALATE_AFTER_DAYS is escalated once: it stays with the
group, and the officers above the group (or, failing them, the escalation group) are
told, as are the group's members and the applicant."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.template.defaultfilters import date

from permissions import schedules, workflow
from permissions.models import AUDITORS_GROUP, ApprovalStep, AuditEvent, PermissionRequest, User
from permissions.models.notifications import DeliveryStatus, Notification
from permissions.states import Action, Status, StepStatus
from tests.factories import UserFactory, submitted_request
from tests.helpers import (
    MEDIA_CELL,
    at,
    bulk_approvals,
    clock,
    days,
    fresh,
    pass_second_factor,
    today,
)

from .conftest import MONDAY, notifications
from .test_query_counts import escalate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_cell_rule")]

# The media cell's step begins when the reporting officer approves, on Monday at 11:00.
STARTED = at(MONDAY, 11)
OVERDUE = STARTED + days(settings.ESCALATE_AFTER_DAYS)
A_MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def cell_chief(cell_members: list[User]) -> User:
    """The Joint Secretary the cell's head reports to; the cell's officer reports to the
    head, inside the cell."""
    chief = UserFactory(username="js-media", designation="Joint Secretary (Media)", bps=20)
    head, officer = cell_members
    User.objects.filter(pk=head.pk).update(reporting_officer=chief)
    User.objects.filter(pk=officer.pk).update(reporting_officer=head)
    return chief


def at_the_cell(servant: User, reporting_officer: User) -> PermissionRequest:
    """A television appearance waiting for the media cell since STARTED."""
    with clock(at(MONDAY, 10)):
        request = submitted_request(servant, event_at=at(MONDAY + days(60), 18))
    with clock(STARTED):
        workflow.approve(request.pk, by=reporting_officer)
    return request


def cell_step(request: PermissionRequest) -> ApprovalStep:
    return ApprovalStep.objects.select_related("group").get(
        request=request, round=fresh(request).round, order=2
    )


def escalation_events(request: PermissionRequest) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(request=request, action=Action.ESCALATE).order_by("id"))


def told(request: PermissionRequest) -> Counter[int]:
    return Counter(row.recipient_id for row in notifications("escalated", request=request))


def body_to(person: User) -> Notification:
    [row] = notifications("escalated", recipient=person)
    return row


def test_an_overdue_group_step_is_escalated_once_to_the_officers_above_the_group(
    servant: User,
    reporting_officer: User,
    cell_members: list[User],
    cell_chief: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    request = at_the_cell(servant, reporting_officer)
    head, officer = cell_members

    with clock(OVERDUE - A_MINUTE):
        early = schedules.escalate_overdue()
    assert early["done"] == 0
    assert escalation_events(request) == []

    # The mails go out once the run's transactions commit, as outside a test.
    with clock(OVERDUE), django_capture_on_commit_callbacks(execute=True):
        report = schedules.escalate_overdue()

    assert report == {"batches": 1, "done": 1, "refused": 0, "failed": 0}
    step = cell_step(request)
    # The step stays where the routing rule put it, waiting since it began.
    assert (step.status, step.group.name, step.assignee_id) == (
        StepStatus.PENDING,
        MEDIA_CELL,
        None,
    )
    assert (step.escalations, step.started_at, step.escalated_from_id) == (1, STARTED, None)
    assert fresh(request).status == Status.PENDING
    [event] = escalation_events(request)
    assert (event.actor_id, event.from_status, event.to_status) == (None, "pending", "pending")
    assert (event.data["step"], event.data["group"]) == (2, step.group_id)
    assert event.data["told"] == [cell_chief.pk]
    assert told(request) == Counter({head.pk: 1, officer.pk: 1, cell_chief.pk: 1, servant.pk: 1})
    for row in notifications("escalated", request=request):
        assert row.status == DeliveryStatus.SENT
        assert row.dedupe_key == f"event{event.pk}:to{row.recipient_id}"
    assert sorted(message.to[0] for message in mail.outbox if "escalated" in message.subject) == (
        sorted(person.email for person in (head, officer, cell_chief, servant))
    )
    # Any member of the cell may still decide it.
    workflow.approve(request.pk, by=officer)
    assert fresh(request).status == Status.APPROVED


def test_running_again_and_later_escalates_the_step_no_more(
    servant: User, reporting_officer: User, cell_members: list[User], cell_chief: User
) -> None:
    request = at_the_cell(servant, reporting_officer)
    with clock(OVERDUE):
        schedules.escalate_overdue()
        again = schedules.escalate_overdue()
    with clock(OVERDUE + days(30)):
        month_later = schedules.escalate_overdue()

    assert again == month_later == {"batches": 0, "done": 0, "refused": 0, "failed": 0}
    assert cell_step(request).escalations == 1
    assert len(escalation_events(request)) == 1
    assert set(told(request).values()) == {1}


def test_each_round_s_group_step_is_escalated_once_of_its_own(
    servant: User, reporting_officer: User, cell_members: list[User], cell_chief: User
) -> None:
    request = at_the_cell(servant, reporting_officer)
    _head, officer = cell_members
    with clock(OVERDUE):
        schedules.escalate_overdue()
        workflow.return_for_clarification(request.pk, by=officer, reason="Name the host.")
        workflow.resubmit(request.pk, by=servant, declaration=True)
        workflow.approve(request.pk, by=reporting_officer)

    with clock(OVERDUE + days(settings.ESCALATE_AFTER_DAYS)):
        report = schedules.escalate_overdue()

    assert report["done"] == 1
    assert [event.data["step"] for event in escalation_events(request)] == [2, 2]
    assert cell_step(request).escalations == 1
    assert set(told(request).values()) == {2}


def test_officer_and_group_steps_escalate_in_the_same_run_each_by_its_own_rule(
    servant: User,
    reporting_officer: User,
    countersigning_officer: User,
    cell_members: list[User],
    cell_chief: User,
) -> None:
    at_cell = at_the_cell(servant, reporting_officer)
    with clock(STARTED):
        at_officer = submitted_request(servant)

    with clock(OVERDUE):
        report = schedules.escalate_overdue()

    assert report == {"batches": 2, "done": 2, "refused": 0, "failed": 0}
    officer_step = ApprovalStep.objects.get(request=at_officer, order=1)
    assert (officer_step.assignee_id, officer_step.escalated_from_id) == (
        countersigning_officer.pk,
        reporting_officer.pk,
    )
    assert cell_step(at_cell).group.name == MEDIA_CELL


def test_where_no_member_reports_outside_the_group_the_escalation_group_is_told(
    servant: User, reporting_officer: User, cell_members: list[User], auditor: User
) -> None:
    head, officer = cell_members
    User.objects.filter(pk=officer.pk).update(reporting_officer=head)
    request = at_the_cell(servant, reporting_officer)

    with clock(OVERDUE):
        schedules.escalate_overdue()

    assert settings.GROUP_STEP_ESCALATION_GROUP == AUDITORS_GROUP
    assert told(request) == Counter({head.pk: 1, officer.pk: 1, auditor.pk: 1, servant.pk: 1})
    [event] = escalation_events(request)
    assert event.data["told"] == [auditor.pk]
    assert (
        f"It is brought to your notice as a member of {AUDITORS_GROUP}, since no member of "
        f"{MEDIA_CELL} reports to an officer outside it." in body_to(auditor).body_text
    )


def test_the_escalation_group_comes_from_the_settings_and_may_be_none(
    servant: User,
    reporting_officer: User,
    cell_members: list[User],
    auditor: User,
    settings: Any,
) -> None:
    settings.GROUP_STEP_ESCALATION_GROUP = ""
    request = at_the_cell(servant, reporting_officer)

    with clock(OVERDUE):
        schedules.escalate_overdue()

    head, officer = cell_members
    assert told(request) == Counter({head.pk: 1, officer.pk: 1, servant.pk: 1})
    assert cell_step(request).escalations == 1
    assert "whose members have been told again" in body_to(servant).body_text


def test_a_group_with_no_member_left_is_escalated_to_the_escalation_group(
    servant: User, reporting_officer: User, media_cell: Group, auditor: User
) -> None:
    media_cell.user_set.clear()
    request = at_the_cell(servant, reporting_officer)

    with clock(OVERDUE):
        schedules.escalate_overdue()

    assert told(request) == Counter({auditor.pk: 1, servant.pk: 1})


def test_the_applicant_is_never_told_as_an_officer_above_the_group(
    servant: User, reporting_officer: User, cell_members: list[User]
) -> None:
    """The servant reports to the reporting officer; were the servant the cell head's
    officer, the servant would still be told only as the applicant."""
    head, officer = cell_members
    User.objects.filter(pk=head.pk).update(reporting_officer=servant)
    User.objects.filter(pk=officer.pk).update(reporting_officer=head)
    request = at_the_cell(servant, reporting_officer)

    with clock(OVERDUE):
        schedules.escalate_overdue()

    assert told(request)[servant.pk] == 1
    assert escalation_events(request)[0].data["told"] == []
    assert "Your request" in body_to(servant).body_text


def test_what_each_of_them_reads(
    servant: User, reporting_officer: User, cell_members: list[User], cell_chief: User
) -> None:
    request = at_the_cell(servant, reporting_officer)
    head, _officer = cell_members

    with clock(OVERDUE):
        schedules.escalate_overdue()

    since = date(MONDAY)
    link = f"{settings.PORTAL_URL}/requests/{request.pk}/"
    to_member = body_to(head)
    assert to_member.subject == f"{request.reference} was escalated"
    assert to_member.body_text == (
        f"Dear {head.get_full_name()},\n\n"
        f"Request {request.reference} has waited for a decision by {MEDIA_CELL} since {since}, "
        f"longer than it should. It stays with {MEDIA_CELL}, where you or any other member may "
        f"decide it, and has been brought to the notice of {cell_chief}.\n\n"
        f"Please decide it: {link}\n"
    )
    to_chief = body_to(cell_chief)
    assert to_chief.body_text == (
        f"Dear {cell_chief.get_full_name()},\n\n"
        f"Request {request.reference} has waited for a decision by {MEDIA_CELL} since {since}, "
        "longer than it should. It is brought to your notice as an officer to whom members "
        f"of {MEDIA_CELL} report.\n\n"
        f"The request stays with {MEDIA_CELL}, where any member may decide it. Please see "
        "that it is decided without more delay.\n"
    )
    # The officer above holds no step: the request's page is not theirs to open, and
    # the mail tells nothing of what the request says.
    assert to_chief.link == "/notifications/"
    assert request.topic not in to_chief.body_text
    assert servant.get_full_name() not in to_chief.body_text
    assert f'href="{settings.PORTAL_URL}/notifications/"' in to_chief.body_html
    to_applicant = body_to(servant)
    assert to_applicant.body_text == (
        f"Dear {servant.get_full_name()},\n\n"
        f"Your request {request.reference} has waited for a decision by {MEDIA_CELL} since "
        f"{since}, longer than it should. It stays with {MEDIA_CELL}, and has been brought "
        f"to the notice of {cell_chief}.\n\n"
        f"Open it here: {link}\n"
    )


def test_an_officer_held_escalation_still_reads_as_before(
    servant: User, reporting_officer: User, countersigning_officer: User
) -> None:
    with clock(STARTED):
        request = submitted_request(servant)
    with clock(OVERDUE):
        schedules.escalate_overdue()

    assert body_to(servant).body_text == (
        f"Dear {servant.get_full_name()},\n\n"
        f"Request {request.reference} waited too long for {reporting_officer} and now waits "
        f"for {countersigning_officer}.\n\n"
        f"Open it here: {settings.PORTAL_URL}/requests/{request.pk}/\n"
    )


def test_a_step_decided_meanwhile_is_refused_and_changes_nothing(
    servant: User, reporting_officer: User, cell_members: list[User]
) -> None:
    request = at_the_cell(servant, reporting_officer)
    with clock(OVERDUE):
        workflow.approve(request.pk, by=cell_members[0])
        with pytest.raises(workflow.AlreadyDecided):
            workflow.escalate_group_step(request.pk)

    assert escalation_events(request) == []
    assert notifications("escalated") == []


def test_the_audit_chain_and_the_records_still_verify(
    servant: User, reporting_officer: User, cell_members: list[User], cell_chief: User
) -> None:
    at_the_cell(servant, reporting_officer)
    with clock(OVERDUE):
        schedules.escalate_overdue()

    report = schedules.verify_audit()
    assert (report["broken"], report["mismatches"]) == (0, 0)


# --- a batch of them ---------------------------------------------------------------------

BATCHES = 4


def bulk_waiting_at_group(count: int, *, since: datetime.datetime, prefix: str) -> list[int]:
    """`count` requests pending at a group's step since `since`; the group has two
    members, one of whom reports to an officer outside it. Written in bulk, bypassing the
    workflow."""
    chief = User.objects.create(username=f"{prefix}-chief", email=f"{prefix}-chief@example.test")
    group = Group.objects.create(name=f"{prefix} cell")
    for n, officer in enumerate([chief, None]):
        User.objects.create(
            username=f"{prefix}-member-{n}",
            email=f"{prefix}-member-{n}@example.test",
            reporting_officer=officer,
        ).groups.add(group)
    bulk_approvals(today() + days(30), count, servants=max(count // 2, 1), prefix=prefix)
    requests = PermissionRequest.objects.filter(reference__startswith=f"MP-{prefix.upper()}-")
    requests.update(
        status=Status.PENDING,
        current_step=1,
        submitted_at=since,
        valid_from=None,
        valid_until=None,
        decided_at=None,
    )
    ids = list(requests.values_list("pk", flat=True))
    ApprovalStep.objects.bulk_create(
        ApprovalStep(
            request_id=pk,
            round=1,
            order=1,
            group=group,
            reason="Media cell clearance",
            status=StepStatus.PENDING,
            started_at=since,
        )
        for pk in ids
    )
    return ids


def escalate_in_bulk(requests: int, prefix: str) -> Counter[str]:
    # The two members, the officer above them and the servant.
    return escalate(requests, prefix, waiting=bulk_waiting_at_group, told_per_request=4)


def test_group_escalation_spends_the_same_statements_on_each_request_and_a_task_a_chunk() -> None:
    few = escalate_in_bulk(20, "few")
    many = escalate_in_bulk(200, "many")

    assert many["outbox"] == 10 * few["outbox"], (few, many)
    assert many["savepoint"] == 10 * few["savepoint"], (few, many)
    assert many["job"] * 20 <= few["job"] * 200, (few, many)


def test_the_admins_escalate_action_escalates_a_group_step_as_the_schedule_does(
    admin_client_logged_in: Any,
    servant: User,
    reporting_officer: User,
    cell_members: list[User],
    cell_chief: User,
) -> None:
    at_cell = at_the_cell(servant, reporting_officer)
    with clock(at(MONDAY, 10)):
        with_officer = submitted_request(servant, event_at=at(MONDAY + days(60), 18))
    with clock(OVERDUE):
        # Sessions last a working day; sign in again on the later day.
        root = User.objects.get(username="root")
        admin_client_logged_in.force_login(root)
        pass_second_factor(admin_client_logged_in, root)
        response = admin_client_logged_in.post(
            "/admin/permissions/permissionrequest/",
            {"action": "escalate_overdue", "_selected_action": [at_cell.pk, with_officer.pk]},
            follow=True,
        )
        again = admin_client_logged_in.post(
            "/admin/permissions/permissionrequest/",
            {"action": "escalate_overdue", "_selected_action": [at_cell.pk]},
            follow=True,
        )
    assert "2 steps escalated." in response.content.decode()
    [event] = escalation_events(at_cell)
    assert event.data["told"] == [cell_chief.pk]
    assert cell_step(at_cell).escalations == 1
    # The officer's step went to the officer above, as before.
    assert len(escalation_events(with_officer)) == 1
    # A second time the group's step is left alone, and the admin says why.
    assert "was escalated already" in again.content.decode()
    assert len(escalation_events(at_cell)) == 1
